package org.sbcnm.training.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.sbcnm.datasets.prepared.PreparedDataset;
import org.sbcnm.datasets.split.HeldOutSplit;
import org.sbcnm.training.eval.Baselines;
import org.sbcnm.training.eval.ExposureMetrics;
import org.sbcnm.training.eval.RetrievalMetrics;
import org.sbcnm.training.eval.TunedBaselines;
import picocli.CommandLine.Option;

/** Which baselines {@code eval} and {@code compare} put beside the models, and their evaluation. */
final class BaselineOptions {
  static final List<String> ALL = List.of("popularity", "random", "itemknn", "ials", "ease");

  @Option(
      names = "--baselines",
      defaultValue = "popularity,random",
      split = ",",
      paramLabel = "NAME",
      description =
          "Baselines beside the models, comma-separated: popularity, random, itemknn (cosine), ials, ease, or all."
              + " itemknn, ials and ease are tuned on the validation split (each user's second-to-last interaction), then scored on the test split.")
  List<String> names;

  /** The baselines' metric rows and test ranks, by name. */
  record Evaluated(Map<String, Map<String, Double>> rows, Map<String, int[]> ranks) {}

  /** The chosen baselines, in {@link #ALL}'s order; an unknown name is refused. */
  List<String> chosen() {
    List<String> out = new ArrayList<>();
    for (String n : names) {
      String name = n.trim().toLowerCase(java.util.Locale.ROOT);
      if (name.equals("all")) {
        return ALL;
      }
      if (!ALL.contains(name)) {
        throw new CliException(
            "--baselines: unknown baseline '" + n + "' (expected some of " + ALL + ", or all)");
      }
    }
    for (String name : ALL) {
      for (String n : names) {
        if (n.trim().equalsIgnoreCase(name)) {
          out.add(name);
          break;
        }
      }
    }
    return out;
  }

  /**
   * Evaluates the chosen baselines on {@code split} at cut-offs {@code ks}; tuned ones select on
   * validation Recall@K at the middle K and say what they chose on {@code notes}.
   */
  Evaluated evaluate(PreparedDataset d, HeldOutSplit split, int[] ks, PrintWriter notes) {
    Map<String, Map<String, Double>> rows = new LinkedHashMap<>();
    Map<String, int[]> ranks = new LinkedHashMap<>();
    int n = d.numItems();
    for (String name : chosen()) {
      int[] r;
      Map<String, Double> row = new LinkedHashMap<>();
      if (name.equals("popularity")) {
        r = Baselines.popularityRanks(split, n);
        int kMax = ExposureMetrics.listLength(ks, n);
        row.putAll(
            ExposureMetrics.fromLists(
                Baselines.popularityLists(split, n, kMax),
                split.testSize(),
                kMax,
                split.train().itemCounts(n),
                ks));
      } else if (name.equals("random")) {
        r = Baselines.randomRanks(split, n, 0);
      } else {
        int selectK = ks[ks.length / 2];
        TunedBaselines.Result t = TunedBaselines.run(name, split, d.numUsers(), n, selectK, 0);
        notes.printf(
            "%s: %s chosen by validation recall@%d over %d settings (%.1f s)%n",
            name, t.chosen(), selectK, t.validation().size(), t.seconds());
        r = t.testRanks();
      }
      Map<String, Double> metrics = RetrievalMetrics.fromRanks(r, ks);
      metrics.putAll(ExposureMetrics.bucketRecall(split, r, n, ks));
      metrics.putAll(row);
      rows.put(name, metrics);
      ranks.put(name, r);
    }
    notes.flush();
    return new Evaluated(rows, ranks);
  }
}
