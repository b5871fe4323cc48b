package org.sbcnm.training.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.sbcnm.datasets.prepared.PreparedDataset;
import org.sbcnm.datasets.split.HeldOutSplit;
import org.sbcnm.engine.io.AtomicFolders;
import org.sbcnm.engine.io.Npy;
import org.sbcnm.engine.tensor.Tensor;
import org.sbcnm.training.loop.CheckpointFiles;
import org.sbcnm.training.retrieval.ExactIndex;
import org.sbcnm.training.retrieval.HnswIndex;
import org.sbcnm.training.retrieval.IndexFiles;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Writes the item embeddings and every known user's query embeddings (.npy + idmap each, for FAISS
 * or NumPy) and a versioned exact index.
 */
@Command(
    name = "export",
    aliases = "export_index_real",
    mixinStandardHelpOptions = true,
    description =
        "Export item embeddings (item_embeddings.npy + i_idmap.csv), every known user's query embedding (query_embeddings.npy + q_idmap.csv; history towers read the user's training items), readable by FAISS or NumPy, and an exact index file.")
final class ExportCommand implements Callable<Integer> {
  static final String INDEX_FILE = "items.sbcnm-index";
  static final String HNSW_FILE = "items-hnsw.sbcnm-index";
  static final String EMBEDDINGS = "item_embeddings.npy";
  static final String IDMAP = "i_idmap.csv";
  static final String QUERY_EMBEDDINGS = "query_embeddings.npy";
  static final String QUERY_IDMAP = "q_idmap.csv";
  private static final String[] FILES = {
    EMBEDDINGS, IDMAP, QUERY_EMBEDDINGS, QUERY_IDMAP, INDEX_FILE, HNSW_FILE
  };

  @Mixin DataOptions data;

  @Option(
      names = {"--ckpt", "--ckpt_path"},
      required = true,
      paramLabel = "FILE",
      description = "Checkpoint ({} in the name: the highest-numbered file present).")
  Path ckpt;

  @Option(
      names = "--out",
      defaultValue = "data/index",
      paramLabel = "DIR",
      description = "Folder to write the export to (an earlier export there is replaced).")
  Path out;

  @Option(names = "--hnsw", description = "Also build and write an HNSW index.")
  boolean hnsw;

  @Option(
      names = "--use_faiss",
      paramLabel = "0|1",
      description =
          "The original command's index choice: 0 writes the exact index only, 1 adds the approximate (HNSW) one (= --hnsw).")
  Integer useFaiss;

  @Option(names = "--hnsw_m", defaultValue = "16", description = "HNSW graph degree M.")
  int hnswM;

  @Option(
      names = "--hnsw_beam",
      defaultValue = "100",
      description = "HNSW construction beam width.")
  int hnswBeam;

  @Option(
      names = "--popularity_beta",
      defaultValue = "0",
      description =
          "Bake ⟨u, v⟩/τ − β·log p̂ into the index (β ≥ 0 in units of the training logit; 1 = the training-time correction).")
  double beta;

  @Option(
      names = "--overwrite",
      description =
          "Replace an --out folder that holds other files than a previous export (default: refuse it).")
  boolean overwrite;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws IOException {
    if (useFaiss != null && useFaiss != 0 && useFaiss != 1) {
      throw new CliException(
          "--use_faiss takes 0 (exact) or 1 (approximate, HNSW), got " + useFaiss);
    }
    boolean withHnsw = hnsw || (useFaiss != null && useFaiss == 1);
    List<Path> inputs = new ArrayList<>(data.inputFiles());
    inputs.add(CheckpointFiles.latest(ckpt));
    for (String file : FILES) {
      Outputs.refuseInputs("--out", out.resolve(file), inputs);
    }
    PreparedDataset d = data.load();
    Checkpoints.Loaded loaded = Checkpoints.load(ckpt, d);
    Tensor items = loaded.model().itemEmbeddings();
    Tensor queries = loaded.queryEmbeddings(d, HeldOutSplit.of(d.interactions(), d.numUsers()));
    float[] adjustment = beta > 0 ? loaded.popularityAdjustment(d.numItems(), beta) : null;
    boolean replace = overwrite || holdsOnlyExports(out);
    if (replace) {
      Outputs.refuseInputsWithin("--out", out, inputs);
    }
    try {
      AtomicFolders.write(
          out,
          replace,
          dir -> {
            Npy.write(dir.resolve(EMBEDDINGS), items);
            d.items().write(dir.resolve(IDMAP));
            Npy.write(dir.resolve(QUERY_EMBEDDINGS), queries);
            d.users().write(dir.resolve(QUERY_IDMAP));
            IndexFiles.write(
                dir.resolve(INDEX_FILE), new ExactIndex(items).withAdjustment(adjustment));
            if (withHnsw) {
              IndexFiles.write(
                  dir.resolve(HNSW_FILE),
                  HnswIndex.build(items, hnswM, hnswBeam, 42).withAdjustment(adjustment));
            }
          });
    } catch (AtomicFolders.NotEmptyException e) {
      throw new CliException(
          "--out "
              + out
              + ": holds files that are not an export; pass --overwrite to replace the folder");
    }
    spec.commandLine()
        .getOut()
        .printf(
            "exported %d item and %d query embeddings of dimension %d to %s%n",
            d.numItems(), d.numUsers(), items.cols(), out);
    return 0;
  }

  /** True when {@code dir} is a folder whose entries are all files an export writes. */
  static boolean holdsOnlyExports(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return false;
    }
    java.util.Set<String> ours = java.util.Set.of(FILES);
    try (java.util.stream.Stream<Path> entries = Files.list(dir)) {
      return entries.allMatch(p -> ours.contains(p.getFileName().toString()));
    }
  }
}
