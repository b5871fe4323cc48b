package org.sbcnm.training.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.sbcnm.datasets.prepared.PreparedDataset;
import org.sbcnm.datasets.split.HeldOutSplit;
import org.sbcnm.engine.autograd.Tape;
import org.sbcnm.engine.tensor.Tensor;
import org.sbcnm.towers.tower.TowerBatch;
import org.sbcnm.towers.tower.TwoTowerModel;
import org.sbcnm.training.eval.ExposureMetrics;
import org.sbcnm.training.eval.QueryEncoder;
import org.sbcnm.training.eval.RetrievalMetrics;
import org.sbcnm.training.loop.CheckpointFiles;
import org.sbcnm.training.retrieval.ExactIndex;
import org.sbcnm.training.retrieval.Exclusions;
import org.sbcnm.training.retrieval.HnswIndex;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Evaluates a checkpoint on the held-out split, beside popularity and random baselines. */
@Command(
    name = "eval",
    mixinStandardHelpOptions = true,
    description =
        "Recall/NDCG@K, MRR, coverage, popularity, Gini and recall by popularity bucket of a checkpoint over the full "
            + "catalogue (training items excluded), beside baselines (popularity and random; item-kNN, iALS and EASE tuned on validation with --baselines); optionally HNSW recall against exact.")
final class EvalCommand implements Callable<Integer> {
  @Mixin DataOptions data;

  @Mixin BaselineOptions baselines;

  @Option(
      names = {"--ckpt", "--ckpt_path"},
      required = true,
      paramLabel = "FILE",
      description = "Checkpoint ({} in the name: the highest-numbered file present).")
  Path ckpt;

  @Option(
      names = "--k",
      defaultValue = "10,50,100",
      split = ",",
      description = "Cut-offs K of Recall@K and NDCG@K, comma-separated.")
  int[] ks;

  @Option(
      names = "--metrics_json",
      paramLabel = "FILE",
      description = "Also write the metrics as JSON.")
  Path metricsJson;

  @Option(
      names = "--popularity_beta",
      defaultValue = "0",
      description =
          "Serving-time popularity control in units of the training logit: rank by ⟨u, v⟩/τ − β·log p̂ (β = 1 applies the training-time correction; 0 = off).")
  double beta;

  @Option(
      names = "--hnsw",
      description = "Also build an HNSW index and report its recall against the exact one.")
  boolean hnsw;

  @Option(
      names = "--hnsw_m",
      defaultValue = "16",
      description = "HNSW graph degree M (with --hnsw).")
  int hnswM;

  @Option(
      names = "--hnsw_beam",
      defaultValue = "100",
      description = "HNSW construction beam width (with --hnsw).")
  int hnswBeam;

  @Option(
      names = "--hnsw_ef",
      defaultValue = "100,200",
      split = ",",
      description = "HNSW search beam width (with --hnsw).")
  int[] hnswEf;

  @Option(
      names = "--threads",
      defaultValue = "0",
      description = "Worker threads (0 = one per core).")
  int threads;

  @Option(names = "--quiet", description = "No progress display.")
  boolean quiet;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws IOException {
    if (threads > 0) {
      org.sbcnm.engine.kernel.Kernels.setThreads(threads);
    }
    List<Path> inputs = new ArrayList<>(data.inputFiles());
    inputs.add(CheckpointFiles.latest(ckpt));
    Outputs.refuseInputs("--metrics_json", metricsJson, inputs);
    PreparedDataset d = data.load();
    HeldOutSplit split = HeldOutSplit.of(d.interactions(), d.numUsers());
    Map<String, Map<String, Double>> rows = new LinkedHashMap<>();
    Checkpoints.Loaded loaded = Checkpoints.load(ckpt, d);
    Tensor items = loaded.model().itemEmbeddings();
    rows.put("model", modelMetrics(loaded, items, d, split, ks, beta).metrics());
    rows.putAll(baselines.evaluate(d, split, ks, spec.commandLine().getErr()).rows());
    if (hnsw) {
      rows.get("model").putAll(hnswRecall(loaded, items, d, split));
    }
    Tables.metrics(spec.commandLine().getOut(), rows);
    if (metricsJson != null) {
      Map<String, Object> out = new LinkedHashMap<>(rows.get("model"));
      out.put("baselines", new LinkedHashMap<>(rows));
      ((Map<?, ?>) out.get("baselines")).remove("model");
      Json.write(metricsJson, out);
    }
    return 0;
  }

  /** Every metric of one checkpoint, and the ranks of the held-out items they came from. */
  record ModelEvaluation(int[] ranks, Map<String, Double> metrics) {}

  /**
   * Every metric of one checkpoint: accuracy, recall by popularity bucket, exposure. One pass over
   * the catalogue gives the ranks and the top lists.
   */
  static ModelEvaluation modelMetrics(
      Checkpoints.Loaded ckpt,
      Tensor items,
      PreparedDataset d,
      HeldOutSplit split,
      int[] ks,
      double beta) {
    QueryEncoder enc = ckpt.encoder(d, split);
    float[] adjustment = beta > 0 ? ckpt.popularityAdjustment(d.numItems(), beta) : null;
    int listLength = ExposureMetrics.listLength(ks, d.numItems());
    int[] lists = new int[split.testSize() * listLength];
    int[] ranks =
        RetrievalMetrics.ranks(ckpt.model(), split, items, enc, adjustment, listLength, lists);
    Map<String, Double> m = RetrievalMetrics.fromRanks(ranks, ks);
    m.putAll(ExposureMetrics.bucketRecall(split, ranks, d.numItems(), ks));
    m.putAll(
        ExposureMetrics.fromLists(
            lists, split.testSize(), listLength, split.train().itemCounts(d.numItems()), ks));
    return new ModelEvaluation(ranks, m);
  }

  /** hnsw_recall@K (overlap with the exact top-K) and queries/s of both indexes, per ef. */
  private Map<String, Double> hnswRecall(
      Checkpoints.Loaded ckptFile, Tensor items, PreparedDataset d, HeldOutSplit split) {
    TwoTowerModel model = ckptFile.model();
    int[] users = split.testUsers();
    TowerBatch batch = new TowerBatch();
    ckptFile.encoder(d, split).fill(batch, users, 0, users.length);
    Tensor q;
    Tape tape = new Tape();
    try (Tape t = tape.begin()) {
      q = model.query().embed(t, batch).value().copy();
    }
    int k = ExposureMetrics.listLength(ks, d.numItems());
    Exclusions ex =
        Exclusions.ofUsers(split.userTrainPtr(), split.userTrainItems(), users, 0, users.length);
    int[] truth = new int[users.length * k];
    long t0 = System.nanoTime();
    new ExactIndex(items).search(q, k, ex, truth, new float[users.length * k]);
    double exactQps = users.length / ((System.nanoTime() - t0) / 1e9);
    long b0 = System.nanoTime();
    HnswIndex index = HnswIndex.build(items, hnswM, hnswBeam, 42);
    Map<String, Double> out = new LinkedHashMap<>();
    out.put("hnsw_build_seconds", (System.nanoTime() - b0) / 1e9);
    out.put("exact_queries_per_second", exactQps);
    for (int ef : hnswEf) {
      int[] approx = new int[users.length * k];
      long s0 = System.nanoTime();
      index.search(q, k, Math.max(ef, k), ex, approx, new float[users.length * k]);
      out.put(
          "hnsw_ef" + ef + "_queries_per_second", users.length / ((System.nanoTime() - s0) / 1e9));
      out.put("hnsw_ef" + ef + "_recall@" + k, overlap(truth, approx, users.length, k));
    }
    return out;
  }

  static double overlap(int[] truth, int[] approx, int queries, int k) {
    long hits = 0;
    long total = 0;
    for (int r = 0; r < queries; r++) {
      int[] t = Arrays.copyOfRange(truth, r * k, (r + 1) * k);
      Arrays.sort(t);
      for (int j = 0; j < k; j++) {
        if (truth[r * k + j] >= 0) {
          total++;
        }
        if (approx[r * k + j] >= 0 && Arrays.binarySearch(t, approx[r * k + j]) >= 0) {
          hits++;
        }
      }
    }
    return total == 0 ? 1.0 : hits / (double) total;
  }
}
