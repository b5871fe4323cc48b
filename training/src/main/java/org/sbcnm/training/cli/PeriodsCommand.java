package org.sbcnm.training.cli;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.sbcnm.datasets.prepared.PreparedDataset;
import org.sbcnm.engine.io.AtomicFiles;
import org.sbcnm.engine.kernel.KernelPool;
import org.sbcnm.training.loop.OptimizerConfig;
import org.sbcnm.training.loop.OptimizerKind;
import org.sbcnm.training.loop.PeriodReplay;
import org.sbcnm.training.loop.TrainConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The period-by-period protocol: train on each period, score on the next ({@link PeriodReplay}).
 */
@Command(
    name = "periods",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Cut a timestamped dataset into periods, train period by period with warm starts, and after each period score Recall/NDCG@K on the next period's interactions (full catalogue, the user's earlier items left out).",
      "Variants side by side: carried (model, optimiser and frequency estimate carried over), reset (the estimator started afresh each period), uncorrected (no logQ correction) and scratch (a new model on all periods so far). Writes periods.csv and periods.{svg,png}."
    })
final class PeriodsCommand implements Callable<Integer> {
  @Mixin DataOptions dataOptions;

  @Option(
      names = "--periods",
      description = "Cut into this many periods of about equal size (default 8).")
  Integer periods;

  @Option(
      names = "--period_length",
      paramLabel = "TICKS",
      description =
          "Cut into periods of this length of the timestamp clock (86400 = a day in seconds).")
  Long periodLength;

  @Option(
      names = "--variants",
      defaultValue = "carried,reset,uncorrected,scratch",
      split = ",",
      description = "Variants to run, comma-separated.")
  List<String> variants;

  @Option(
      names = "--epochs",
      defaultValue = "1",
      description = "Passes over each period (scratch: over all periods so far).")
  int epochs;

  @Option(names = "--batch_size", defaultValue = "256", description = "Examples per step.")
  int batchSize;

  @Option(
      names = "--lr",
      defaultValue = "0",
      description = "Learning rate of Adam (0 = its default).")
  double lr;

  @Option(
      names = "--alpha",
      defaultValue = "0.01",
      description = "Learning rate α of the streaming frequency estimator.")
  double alpha;

  @Mixin TowerOptions towers;

  @Option(
      names = "--k",
      defaultValue = "10,50",
      split = ",",
      description = "Cut-offs K of Recall@K and NDCG@K; the chart shows the largest.")
  int[] ks;

  @Option(names = "--threads", defaultValue = "0", description = "Kernel threads (0 = all cores).")
  int threads;

  @Option(names = "--seed", defaultValue = "0", description = "Seed of every random choice.")
  long seed;

  @Option(
      names = "--out",
      required = true,
      paramLabel = "DIR",
      description = "Folder for periods.csv and the chart (created if missing).")
  Path out;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws IOException {
    Outputs.refuseInputsWithin("--out", out, dataOptions.inputFiles());
    if (periods != null && periodLength != null) {
      throw new CliException("give --periods or --period_length, not both");
    }
    List<PeriodReplay.Variant> chosen = new ArrayList<>();
    for (String v : variants) {
      try {
        chosen.add(PeriodReplay.Variant.parse(v));
      } catch (IllegalArgumentException e) {
        throw new CliException("--variants: " + e.getMessage());
      }
    }
    PreparedDataset data = dataOptions.load();
    TrainConfig config = trainConfig();
    PeriodReplay replay;
    try {
      long[] bounds =
          periodLength != null
              ? PeriodReplay.byLength(data.interactions(), periodLength)
              : PeriodReplay.byCount(data.interactions(), periods != null ? periods : 8);
      replay =
          new PeriodReplay(
              data,
              bounds,
              towers.modelConfig(data, seed, spec, false),
              config,
              out.resolve("checkpoints"));
    } catch (IllegalArgumentException e) {
      throw new CliException(e.getMessage());
    }
    PrintWriter o = spec.commandLine().getOut();
    o.println("period sizes: " + java.util.Arrays.toString(replay.periodSizes()));
    String key = "recall@" + java.util.Arrays.stream(ks).max().orElse(50);
    List<PeriodReplay.Score> scores;
    try (KernelPool pool = new KernelPool(config.execution().threads())) {
      scores =
          replay.run(
              chosen,
              s ->
                  o.printf(
                      Locale.ROOT,
                      "%-12s period %d  %s %.4f  (%d cases, trained %.1f s)%n",
                      s.variant().id(),
                      s.period(),
                      key,
                      s.metrics().get(key),
                      s.testCases(),
                      s.trainSeconds()),
              pool);
    }
    java.nio.file.Files.deleteIfExists(out.resolve("checkpoints"));
    writeCsv(scores);
    chart(scores, key);
    summary(o, scores, key);
    return 0;
  }

  private TrainConfig trainConfig() {
    try {
      return TrainConfig.builder()
          .epochs(epochs)
          .batchSize(batchSize)
          .optimizer(OptimizerKind.ADAM)
          .lr(lr)
          .weightDecay(OptimizerConfig.DEFAULT_DECAY)
          .alpha(alpha)
          .seed(seed)
          .ks(ks)
          .threads(threads > 0 ? threads : Runtime.getRuntime().availableProcessors())
          .build();
    } catch (IllegalArgumentException e) {
      throw new CliException(e.getMessage());
    }
  }

  private void writeCsv(List<PeriodReplay.Score> scores) throws IOException {
    List<String> metrics = new ArrayList<>(scores.get(0).metrics().keySet());
    AtomicFiles.write(
        out.resolve("periods.csv"),
        stream -> {
          BufferedWriter w =
              new BufferedWriter(new OutputStreamWriter(stream, StandardCharsets.UTF_8));
          w.write("variant,period,train_interactions,test_cases,train_seconds");
          for (String m : metrics) {
            w.write("," + m);
          }
          w.write('\n');
          for (PeriodReplay.Score s : scores) {
            w.write(
                String.format(
                    Locale.ROOT,
                    "%s,%d,%d,%d,%.3f",
                    s.variant().id(),
                    s.period(),
                    s.trainInteractions(),
                    s.testCases(),
                    s.trainSeconds()));
            for (String m : metrics) {
              w.write("," + s.metrics().get(m));
            }
            w.write('\n');
          }
          w.flush();
        });
  }

  private void chart(List<PeriodReplay.Score> scores, String key) throws IOException {
    Map<String, double[][]> series = new LinkedHashMap<>();
    for (PeriodReplay.Variant v : PeriodReplay.Variant.values()) {
      List<PeriodReplay.Score> mine = scores.stream().filter(s -> s.variant() == v).toList();
      if (!mine.isEmpty()) {
        double[][] xy = new double[2][mine.size()];
        for (int k = 0; k < mine.size(); k++) {
          xy[0][k] = mine.get(k).period();
          xy[1][k] = mine.get(k).metrics().get(key);
        }
        series.put(v.id(), xy);
      }
    }
    var chart =
        Charts.curves(
            key + " on the next period, after training on the periods before it",
            "period scored",
            key,
            series);
    // Outside the plot: the lines rise to the right, where an inside legend would cover them.
    chart.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.OutsideE);
    Charts.save(chart, out, "periods");
  }

  /** Mean score and mean training time per period of each variant. */
  private void summary(PrintWriter o, List<PeriodReplay.Score> scores, String key) {
    o.printf(Locale.ROOT, "%-12s %12s %20s%n", "variant", "mean " + key, "train s / period");
    for (PeriodReplay.Variant v : PeriodReplay.Variant.values()) {
      List<PeriodReplay.Score> mine = scores.stream().filter(s -> s.variant() == v).toList();
      if (!mine.isEmpty()) {
        o.printf(
            Locale.ROOT,
            "%-12s %12.4f %20.2f%n",
            v.id(),
            mine.stream().mapToDouble(s -> s.metrics().get(key)).average().orElse(0),
            mine.stream().mapToDouble(PeriodReplay.Score::trainSeconds).average().orElse(0));
      }
    }
    o.println("wrote " + out.resolve("periods.csv") + " and periods.{svg,png}");
    o.flush();
  }
}
