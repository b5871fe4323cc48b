package org.sbcnm.training.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.sbcnm.datasets.prepared.Csv;
import org.sbcnm.datasets.prepared.PreparedDataset;
import org.sbcnm.datasets.split.HeldOutSplit;
import org.sbcnm.engine.autograd.Tape;
import org.sbcnm.engine.kernel.TopK;
import org.sbcnm.engine.tensor.Tensor;
import org.sbcnm.towers.tower.TowerBatch;
import org.sbcnm.towers.tower.TwoTowerModel;
import org.sbcnm.training.retrieval.ExactIndex;
import org.sbcnm.training.retrieval.Exclusions;
import org.sbcnm.training.retrieval.HnswIndex;
import org.sbcnm.training.retrieval.IndexFiles;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** The retrieval demo: top-K items for users, their training items excluded. */
@Command(
    name = "retrieve",
    mixinStandardHelpOptions = true,
    description = "Top-K items for the given users (raw ids), training items excluded.")
final class RetrieveCommand implements Callable<Integer> {
  @Mixin DataOptions data;

  @Option(
      names = {"--ckpt", "--ckpt_path"},
      required = true,
      paramLabel = "FILE",
      description = "Checkpoint ({} in the name: the highest-numbered file present).")
  Path ckpt;

  @Option(
      names = "--user",
      required = true,
      arity = "1..*",
      paramLabel = "RAW_ID",
      description = "Raw user ids to recommend for (one or more).")
  List<String> users;

  @Mixin UnseenUsers unseenUsers;

  @Option(names = "--k", defaultValue = "10", description = "Items per user.")
  int k;

  @Option(names = "--format", defaultValue = "table", description = "table, json or csv.")
  String format;

  @Option(names = "--include_seen", description = "Do not exclude the user's training items.")
  boolean includeSeen;

  @Option(
      names = "--index",
      paramLabel = "FILE",
      description = "Search an exported index file (exact or hnsw) instead of all items.")
  Path indexFile;

  @Option(names = "--ef", defaultValue = "100", description = "HNSW search beam (>= k).")
  int ef;

  @Option(
      names = "--popularity_beta",
      defaultValue = "0",
      description =
          "Rank by ⟨u, v⟩/τ − β·log p̂ (β ≥ 0 in units of the training logit; 1 = the training-time correction); not with --index.")
  double beta;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws IOException {
    if (!format.matches("table|json|csv")) {
      throw new CliException("--format must be table, json or csv, got '" + format + "'");
    }
    if (k < 1 || k > TopK.MAX_K) {
      throw new CliException("--k must be in [1, " + TopK.MAX_K + "], got " + k);
    }
    PreparedDataset d = data.load();
    Checkpoints.Loaded loaded = Checkpoints.load(ckpt, d);
    TwoTowerModel model = loaded.model();
    int[] idx = new int[users.size()];
    int unseen = 0;
    for (int r = 0; r < idx.length; r++) {
      idx[r] = d.users().indexOf(users.get(r));
      if (idx[r] < 0) {
        unseen++;
      }
    }
    HeldOutSplit split = HeldOutSplit.of(d.interactions(), d.numUsers());
    Tensor queries = queries(loaded, d, split, idx, unseen);
    Exclusions ex = includeSeen ? null : unseenUsers.exclusions(d, split, idx);
    int kk = Math.min(k, d.numItems());
    int[] top = new int[idx.length * kk];
    float[] vals = new float[idx.length * kk];
    search(loaded, d, queries, kk, ex, top, vals);
    print(rows(d, idx.length, kk, top, vals));
    return 0;
  }

  /** The query embeddings of the users asked for: known ones by the tower, unseen ones hashed. */
  private Tensor queries(
      Checkpoints.Loaded loaded, PreparedDataset d, HeldOutSplit split, int[] idx, int unseen) {
    TwoTowerModel model = loaded.model();
    int[] known = java.util.Arrays.stream(idx).filter(i -> i >= 0).toArray();
    Tensor queries = Tensor.zeros(idx.length, model.config().query().outDim());
    Tape tape = new Tape();
    if (known.length > 0) {
      TowerBatch batch = new TowerBatch();
      loaded.encoder(d, split).fill(batch, known, 0, known.length);
      try (Tape t = tape.begin()) {
        Tensor e = model.query().embed(t, batch).value();
        copyRows(e, idx, true, queries);
      }
    }
    if (unseen > 0) {
      try (Tape t = tape.begin()) {
        copyRows(unseenUsers.embed(t, loaded, d, users, idx, unseen), idx, false, queries);
      }
    }
    return queries;
  }

  /** The top kk of every query into top and vals: from --index, or exact over the model's items. */
  private void search(
      Checkpoints.Loaded loaded,
      PreparedDataset d,
      Tensor queries,
      int kk,
      Exclusions ex,
      int[] top,
      float[] vals)
      throws IOException {
    if (indexFile != null) {
      if (beta > 0) {
        throw new CliException(
            "--popularity_beta applies when the index is built here; export the index with --popularity_beta instead");
      }
      if (IndexFiles.kindOf(indexFile).equals("hnsw")) {
        HnswIndex index = IndexFiles.readHnsw(indexFile);
        matchesDataset(index.size(), index.dim(), d, queries.cols());
        index.search(queries, kk, Math.max(ef, kk), ex, top, vals);
      } else {
        ExactIndex index = IndexFiles.readExact(indexFile);
        matchesDataset(index.size(), index.dim(), d, queries.cols());
        index.search(queries, kk, ex, top, vals);
      }
    } else {
      float[] adjustment = beta > 0 ? loaded.popularityAdjustment(d.numItems(), beta) : null;
      new ExactIndex(loaded.model().itemEmbeddings())
          .withAdjustment(adjustment)
          .search(queries, kk, ex, top, vals);
    }
  }

  private List<Map<String, Object>> rows(
      PreparedDataset d, int queryCount, int kk, int[] top, float[] vals) {
    List<Map<String, Object>> rows = new ArrayList<>();
    for (int r = 0; r < queryCount; r++) {
      for (int j = 0; j < kk; j++) {
        int item = top[r * kk + j];
        if (item < 0) {
          break;
        }
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("user_id", users.get(r));
        row.put("rank", j + 1);
        row.put("item_id", d.items().rawId(item));
        row.put("score", vals[r * kk + j]);
        rows.add(row);
      }
    }
    return rows;
  }

  /** The rows in --format: table, json or csv. */
  private void print(List<Map<String, Object>> rows) throws IOException {
    PrintWriter out = spec.commandLine().getOut();
    switch (format) {
      case "json":
        out.println(Json.MAPPER.writeValueAsString(rows));
        break;
      case "csv":
        out.println("user_id,rank,item_id,score");
        for (Map<String, Object> row : rows) {
          out.println(
              Csv.quote((String) row.get("user_id"))
                  + ","
                  + row.get("rank")
                  + ","
                  + Csv.quote((String) row.get("item_id"))
                  + ","
                  + row.get("score"));
        }
        break;
      default:
        out.printf("%-12s %4s  %-16s %9s%n", "user_id", "rank", "item_id", "score");
        for (Map<String, Object> row : rows) {
          out.printf(
              "%-12s %4d  %-16s %9.4f%n",
              row.get("user_id"),
              (Integer) row.get("rank"),
              row.get("item_id"),
              (Float) row.get("score"));
        }
    }
    out.flush();
  }

  /** Refuses an index built for another catalogue or model than the one given. */
  private void matchesDataset(int items, int dim, PreparedDataset d, int queryDim) {
    if (items != d.numItems()) {
      throw new CliException(
          "--index "
              + indexFile
              + ": holds "
              + items
              + " items but the dataset has "
              + d.numItems()
              + "; export the index again from this dataset");
    }
    if (dim != queryDim) {
      throw new CliException(
          "--index "
              + indexFile
              + ": embeddings of dimension "
              + dim
              + " but the model's queries have "
              + queryDim);
    }
  }

  /** Copies the rows of {@code from} to the rows of {@code to} whose idx is known (or not). */
  private static void copyRows(Tensor from, int[] idx, boolean known, Tensor to) {
    int f = 0;
    for (int r = 0; r < idx.length; r++) {
      if ((idx[r] >= 0) == known) {
        for (int c = 0; c < to.cols(); c++) {
          to.set(r, c, from.get(f, c));
        }
        f++;
      }
    }
  }
}
