package org.sbcnm.training.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.sbcnm.datasets.prepared.PreparedDataset;
import org.sbcnm.datasets.split.HeldOutSplit;
import org.sbcnm.engine.io.AtomicFiles;
import org.sbcnm.engine.tensor.Tensor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Side-by-side report of several checkpoints (the original project's retrieval_three and
 * retrieval_bias_compare): a Markdown table and Recall@K curves (SVG and PNG), with popularity and
 * random baselines.
 */
@Command(
    name = "compare",
    aliases = {"retrieval_three", "retrieval_three_dcn", "retrieval_bias_compare"},
    mixinStandardHelpOptions = true,
    description =
        "Compare checkpoints: report.md with a metrics table and Recall@K curves (SVG, PNG), baselines included.")
final class CompareCommand implements Callable<Integer> {
  @Mixin DataOptions data;

  @Mixin BaselineOptions baselines;

  @Option(
      names = "--ckpt",
      arity = "1..*",
      paramLabel = "NAME=FILE",
      description =
          "A checkpoint and its name in the report ({} in the file name: the highest-numbered file).")
  Map<String, Path> checkpoints = new LinkedHashMap<>();

  @Option(names = "--baseline_ckpt", paramLabel = "FILE", description = "= --ckpt baseline=FILE")
  Path baseline;

  @Option(names = "--userembed_ckpt", paramLabel = "FILE", description = "= --ckpt userembed=FILE")
  Path userembed;

  @Option(names = "--gcn_ckpt", paramLabel = "FILE", description = "= --ckpt gcn=FILE")
  Path gcn;

  @Option(names = "--dcn_ckpt", paramLabel = "FILE", description = "= --ckpt dcn=FILE")
  Path dcn;

  @Option(names = "--dcn_bias_ckpt", paramLabel = "FILE", description = "= --ckpt dcn_bias=FILE")
  Path dcnBias;

  @Option(
      names = "--dcn_nobias_ckpt",
      paramLabel = "FILE",
      description = "= --ckpt dcn_nobias=FILE")
  Path dcnNoBias;

  @Option(
      names = "--batch_size",
      defaultValue = "512",
      description =
          "Accepted for the original scripts' scoring batch; the ranking pass scores in its own blocks and gives the same numbers for any value.")
  int batchSize;

  @Option(
      names = "--out",
      defaultValue = "data/report",
      paramLabel = "DIR",
      description = "Folder for the report, tables and charts.")
  Path out;

  @Option(
      names = "--k",
      defaultValue = "10,50,100",
      split = ",",
      description = "Cut-offs K of Recall@K and NDCG@K, comma-separated.")
  int[] ks;

  @Option(
      names = "--max_k",
      defaultValue = "100",
      description = "Recall@K curves run K = 1..max_k.")
  int maxK;

  @Option(
      names = "--beta",
      defaultValue = "0,0.25,0.5,0.75,1,1.5,2",
      split = ",",
      description =
          "Popularity β values (units of the training logit) for the recall-versus-coverage curve of each checkpoint trained with correction.")
  double[] betas;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws IOException {
    Map<String, Path> checkpoints = namedCheckpoints();
    if (batchSize < 1) {
      throw new CliException("--batch_size must be >= 1, got " + batchSize);
    }
    PreparedDataset d = data.load();
    HeldOutSplit split = HeldOutSplit.of(d.interactions(), d.numUsers());
    int bucketK = ks[ks.length / 2];
    Results results = new Results();
    for (Map.Entry<String, Path> e : checkpoints.entrySet()) {
      evaluate(e.getKey(), Checkpoints.load(e.getValue(), d), d, split, bucketK, results);
    }
    BaselineOptions.Evaluated b = baselines.evaluate(d, split, ks, spec.commandLine().getErr());
    results.rows.putAll(b.rows());
    results.ranks.putAll(b.ranks());
    charts(results, bucketK);
    String md = report(d, split, results, bucketK, checkpoints);
    AtomicFiles.write(out.resolve("report.md"), o -> o.write(md.getBytes(StandardCharsets.UTF_8)));
    Tables.metrics(spec.commandLine().getOut(), results.rows);
    spec.commandLine().getOut().println("report: " + out.resolve("report.md"));
    return 0;
  }

  /** What the compared models and baselines measured, by name. */
  private static final class Results {
    final Map<String, int[]> ranks = new LinkedHashMap<>();
    final Map<String, Map<String, Double>> rows = new LinkedHashMap<>();
    final Map<String, double[][]> betaCurves = new LinkedHashMap<>();
    final StringBuilder betaTable = new StringBuilder();
  }

  /** The checkpoints by name: every --ckpt, then the original project's named flags. */
  private Map<String, Path> namedCheckpoints() {
    Map<String, Path> checkpoints = new LinkedHashMap<>(this.checkpoints);
    String[] names = {"baseline", "userembed", "gcn", "dcn", "dcn_bias", "dcn_nobias"};
    Path[] named = {baseline, userembed, gcn, dcn, dcnBias, dcnNoBias};
    for (int k = 0; k < names.length; k++) {
      if (named[k] != null && checkpoints.putIfAbsent(names[k], named[k]) != null) {
        throw new CliException("two checkpoints named " + names[k]);
      }
    }
    if (checkpoints.isEmpty()) {
      throw new CliException(
          "no checkpoint to compare: give --ckpt NAME=FILE (or the original --baseline_ckpt, --dcn_ckpt, ...)");
    }
    return checkpoints;
  }

  /** One model's metrics and ranks, and its recall-coverage curve over β when it has p̂. */
  private void evaluate(
      String name,
      Checkpoints.Loaded loaded,
      PreparedDataset d,
      HeldOutSplit split,
      int bucketK,
      Results results) {
    Tensor items = loaded.model().itemEmbeddings();
    EvalCommand.ModelEvaluation evaluation =
        EvalCommand.modelMetrics(loaded, items, d, split, ks, 0);
    results.ranks.put(name, evaluation.ranks());
    results.rows.put(name, evaluation.metrics());
    if (!loaded.hasProbabilities()) {
      return;
    }
    double[][] curve = new double[2][betas.length];
    for (int b = 0; b < betas.length; b++) {
      Map<String, Double> m =
          betas[b] == 0
              ? evaluation.metrics()
              : EvalCommand.modelMetrics(loaded, items, d, split, ks, betas[b]).metrics();
      curve[0][b] = m.get("coverage@" + bucketK);
      curve[1][b] = m.get("recall@" + bucketK);
      results.betaTable.append(
          String.format(
              Locale.ROOT,
              "| %s | %s | %.4f | %.4f |%n",
              name,
              betas[b],
              curve[1][b],
              curve[0][b]));
    }
    results.betaCurves.put(name, curve);
  }

  /** Recall@K curves, recall by popularity bucket and, with β curves, recall against coverage. */
  private void charts(Results results, int bucketK) throws IOException {
    double[] x = new double[maxK];
    for (int k = 1; k <= maxK; k++) {
      x[k - 1] = k;
    }
    Map<String, double[]> curves = new LinkedHashMap<>();
    for (Map.Entry<String, int[]> e : results.ranks.entrySet()) {
      curves.put(e.getKey(), recallCurve(e.getValue(), maxK));
    }
    Charts.save(
        Charts.lines("Recall@K on the held-out split", "K", "Recall@K", x, curves),
        out,
        "recall_at_k");
    Map<String, double[]> byBucket = new LinkedHashMap<>();
    for (Map.Entry<String, Map<String, Double>> e : results.rows.entrySet()) {
      Map<String, Double> m = e.getValue();
      byBucket.put(
          e.getKey(),
          new double[] {
            nz(m.get("recall@" + bucketK + "_head")),
            nz(m.get("recall@" + bucketK + "_torso")),
            nz(m.get("recall@" + bucketK + "_tail"))
          });
    }
    Charts.save(
        Charts.bars(
            "Recall@" + bucketK + " by item popularity",
            "held-out item's popularity bucket",
            "Recall@" + bucketK,
            new String[] {"head (top 20% of interactions)", "torso", "tail (bottom 20%)"},
            byBucket),
        out,
        "recall_by_popularity");
    if (!results.betaCurves.isEmpty()) {
      Charts.save(
          Charts.curves(
              "Recall@" + bucketK + " against coverage@" + bucketK + " over popularity β",
              "coverage@" + bucketK,
              "Recall@" + bucketK,
              results.betaCurves),
          out,
          "recall_vs_coverage");
    }
  }

  /** report.md: the dataset, the metrics table, the charts and the checkpoints compared. */
  private static String report(
      PreparedDataset d,
      HeldOutSplit split,
      Results results,
      int bucketK,
      Map<String, Path> checkpoints) {
    StringBuilder md = new StringBuilder();
    md.append("# Model comparison\n\n");
    md.append("Dataset: ")
        .append(d.numUsers())
        .append(" users, ")
        .append(d.numItems())
        .append(" items, ")
        .append(split.testSize())
        .append(
            " test users (each user's last interaction held out; training items excluded from the ranking).\n\n");
    md.append(Tables.markdown(results.rows)).append('\n');
    md.append("![Recall@K](recall_at_k.svg)\n\n");
    md.append("![Recall by popularity bucket](recall_by_popularity.svg)\n\n");
    if (!results.betaCurves.isEmpty()) {
      md.append("## Serving-time popularity control\n\n")
          .append(
              "Ranking by ⟨u, v⟩/τ − β·log p̂ (β = 1 subtracts the training-time correction).\n\n")
          .append("| model | β | recall@")
          .append(bucketK)
          .append(" | coverage@")
          .append(bucketK)
          .append(" |\n|---|---:|---:|---:|\n")
          .append(results.betaTable)
          .append("\n![Recall against coverage](recall_vs_coverage.svg)\n\n");
    }
    md.append(
            "Head: the most popular items holding 20% of training interactions; tail: the least popular holding 20%. ")
        .append(
            "Coverage: share of items in anyone's top-K; Gini: inequality of exposure across items.\n\n");
    md.append("Checkpoints:\n\n");
    for (Map.Entry<String, Path> e : checkpoints.entrySet()) {
      md.append("- `").append(e.getKey()).append("`: ").append(e.getValue()).append('\n');
    }
    return md.toString();
  }

  private static double nz(Double v) {
    return v == null || v.isNaN() ? 0 : v;
  }

  static double[] recallCurve(int[] ranks, int maxK) {
    double[] hits = new double[maxK + 1];
    for (int r : ranks) {
      if (r < maxK) {
        hits[r + 1]++;
      }
    }
    double[] curve = new double[maxK];
    double acc = 0;
    for (int k = 1; k <= maxK; k++) {
      acc += hits[k];
      curve[k - 1] = acc / Math.max(1, ranks.length);
    }
    return curve;
  }
}
