package org.sbcnm.training.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.sbcnm.datasets.prepared.PreparedDataset;
import org.sbcnm.towers.config.ModelConfig;
import org.sbcnm.towers.config.TowerConfig;
import org.sbcnm.towers.config.TowerKind;
import org.sbcnm.training.loop.OptimizerKind;
import org.sbcnm.training.loop.StepProfile;
import org.sbcnm.training.loop.TrainConfig;
import org.sbcnm.training.loop.Trainer;
import org.sbcnm.training.loss.DistinctColumns;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Training throughput on the reference configuration (MLP towers → 256 → 128 → 64, batch 1024, τ =
 * 0.05, Adam 1e-3, streaming correction, masking): steady-state examples per second after a
 * warm-up, the split of step time by phase, peak RSS, and the time from JVM start to the first
 * step.
 */
@Command(
    name = "bench-train",
    mixinStandardHelpOptions = true,
    description =
        "Measure training throughput on a prepared dataset (reference configuration), with a per-phase split.")
final class BenchTrainCommand implements Callable<Integer> {
  @Option(
      names = "--data",
      required = true,
      paramLabel = "DIR",
      description = "Prepared dataset folder.")
  Path data;

  @Option(
      names = "--steps",
      defaultValue = "300",
      description = "Measured steps after the warm-up.")
  int steps;

  @Option(
      names = "--warmup",
      defaultValue = "50",
      description =
          "Steps before the measured ones. The JIT compiles for the first few seconds of training"
              + " (about 100 steps of synth-bench on 2 cores); --json shows where the step times settle.")
  int warmup;

  @Option(
      names = "--query_tower",
      defaultValue = "mlp",
      description = "Query tower: mlp, id, history or dcn.")
  String queryTower;

  @Option(
      names = "--item_tower",
      defaultValue = "mlp",
      description = "Item tower: mlp, id, dcn, gcn or lightgcn.")
  String itemTower;

  @Option(names = "--batch_size", defaultValue = "1024", description = "Examples per step.")
  int batchSize;

  @Option(
      names = "--optimizer",
      defaultValue = "adam",
      description =
          "adam (every embedding row moves each step), lazyadam (the batch's rows only), ...")
  String optimizer;

  @Option(
      names = "--threads",
      defaultValue = "0",
      description = "Worker threads (0 = one per core).")
  int threads;

  @Option(
      names = "--json",
      paramLabel = "FILE",
      description =
          "Write the figures as JSON: rates, step-time quantiles, every measured step's time in"
              + " order (step_ms), phase shares, allocation, peak RSS.")
  Path json;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws IOException {
    long loadStart = System.nanoTime();
    PreparedDataset d = PreparedDataset.read(data, false);
    double loadSeconds = (System.nanoTime() - loadStart) / 1e9;
    TowerConfig base = TowerConfig.defaults(TowerKind.MLP);
    ModelConfig model =
        new ModelConfig(
            base.withKind(TowerKind.parse(queryTower, TowerKind.QUERY, "--query_tower")),
            base.withKind(TowerKind.parse(itemTower, TowerKind.ITEM, "--item_tower")),
            0.05,
            0);
    int t = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
    TrainConfig config =
        TrainConfig.builder()
            .epochs(1000)
            .batchSize(batchSize)
            .threads(t)
            .stopAfterSteps(warmup + steps)
            .optimizer(OptimizerKind.parse(optimizer))
            .build();
    StepProfile profile = new StepProfile();
    Trainer trainer = Trainer.create(d, model, config, null, null, null).profile(profile);
    StepRecorder recorder = new StepRecorder(profile);
    trainer.run(recorder);
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("data", data.getFileName().toString());
    out.put("query_tower", queryTower);
    out.put("optimizer", config.optimizer().kind().id());
    out.put("item_tower", itemTower);
    out.put("batch", batchSize);
    out.put("threads", t);
    out.put("towers_side_by_side", trainer.towersSideBySide());
    out.put("distinct_item_columns", trainer.distinctColumns());
    measurements(out, profile, recorder);
    out.put("load_seconds", loadSeconds);
    print(out, profile, t, trainer.towersSideBySide(), trainer.distinctColumns());
    if (json != null) {
      Json.write(json, out);
    }
    return 0;
  }

  /** Records the measured steps' end times, the first step's time and the allocation at warm-up. */
  private final class StepRecorder implements Trainer.Listener {
    final StepProfile profile;
    // Step-end times of the measured steps: their median is robust to a noisy neighbour's bursts.
    final long[] stepEnds = new long[steps + 1];
    long firstStepWallMillis;
    long allocatedAtWarmup;
    long allocatedAtWarmupAllThreads;
    // Read at the last measured step, while the run's kernel pool threads are still alive.
    long allocatedAtEnd;
    long allocatedAtEndAllThreads;

    StepRecorder(StepProfile profile) {
      this.profile = profile;
    }

    @Override
    public void step(long done, long total, double loss) {
      if (done >= warmup && done - warmup <= steps) {
        stepEnds[(int) (done - warmup)] = System.nanoTime();
      }
      if (done == 1) {
        firstStepWallMillis =
            System.currentTimeMillis() - (System.nanoTime() - profile.firstStepAt()) / 1_000_000;
      }
      if (done == warmup) {
        profile.reset();
        allocatedAtWarmup = allocatedBytes();
        allocatedAtWarmupAllThreads = allocatedBytesAllThreads();
      }
      if (done == warmup + steps) {
        allocatedAtEnd = allocatedBytes();
        allocatedAtEndAllThreads = allocatedBytesAllThreads();
      }
    }
  }

  /** Puts the measured steps' speed, spread, phases, allocation, memory and start-up into out. */
  private void measurements(Map<String, Object> out, StepProfile profile, StepRecorder r) {
    out.put("item_columns_per_step", profile.itemColumnsPerStep());
    out.put("item_rows_per_step", profile.itemRowsPerStep());
    out.put("steps_measured", profile.steps());
    out.put("examples_per_second", profile.examples() / profile.seconds());
    out.put("ms_per_step", 1000 * profile.seconds() / Math.max(1, profile.steps()));
    long[] stepNanos = stepNanos(r.stepEnds);
    double[] stepMillis = new double[stepNanos.length];
    for (int i = 0; i < stepNanos.length; i++) {
      stepMillis[i] = stepNanos[i] / 1e6;
    }
    Arrays.sort(stepNanos);
    double medianMs = quantileMillis(stepNanos, 0.5);
    out.put("median_ms_per_step", medianMs);
    out.put("p10_ms_per_step", quantileMillis(stepNanos, 0.1));
    out.put("p90_ms_per_step", quantileMillis(stepNanos, 0.9));
    out.put("examples_per_second_median", batchSize * 1000.0 / medianMs);
    // In order, so that a reader can tell a JIT or GC transient from a neighbour's burst.
    out.put("step_ms", stepMillis);
    Map<String, Double> share = new LinkedHashMap<>();
    for (Map.Entry<String, Double> e : profile.phaseSeconds().entrySet()) {
      share.put(e.getKey(), e.getValue() / profile.seconds());
    }
    out.put("phase_share", share);
    double stepsDone = Math.max(1, profile.steps());
    out.put("allocated_bytes_per_step", (r.allocatedAtEnd - r.allocatedAtWarmup) / stepsDone);
    out.put(
        "allocated_bytes_per_step_all_threads",
        (r.allocatedAtEndAllThreads - r.allocatedAtWarmupAllThreads) / stepsDone);
    out.put("peak_rss_mb", peakRssMb());
    long launched =
        Long.getLong("sbcnm.launchMillis", ManagementFactory.getRuntimeMXBean().getStartTime());
    out.put("seconds_to_first_step", (r.firstStepWallMillis - launched) / 1000.0);
  }

  @SuppressWarnings("unchecked")
  private void print(
      Map<String, Object> out, StepProfile profile, int t, boolean sideBySide, boolean distinct) {
    PrintWriter w = spec.commandLine().getOut();
    w.printf(
        "%s: %.0f examples/s (%.1f ms/step over %d steps, %d threads), peak RSS %.0f MB, first step %.1f s after launch%n",
        data.getFileName(),
        (Double) out.get("examples_per_second"),
        (Double) out.get("ms_per_step"),
        profile.steps(),
        t,
        (Double) out.get("peak_rss_mb"),
        (Double) out.get("seconds_to_first_step"));
    // The spread shows how much a noisy neighbour moved this run: on a shared host the same code
    // has run steps at 10 ms and at 18 ms within one run.
    w.printf(
        "  median step %.1f ms: %.0f examples/s (10th-90th percentile %.1f-%.1f ms)%n",
        (Double) out.get("median_ms_per_step"),
        (Double) out.get("examples_per_second_median"),
        (Double) out.get("p10_ms_per_step"),
        (Double) out.get("p90_ms_per_step"));
    w.printf(
        "  towers %s%n",
        sideBySide
            ? "side by side, one per thread (their shared time split by thread time)"
            : "one after the other");
    w.printf(
        "  item tower: %.0f rows per step for %.0f columns (%s)%n",
        profile.itemRowsPerStep(),
        profile.itemColumnsPerStep(),
        distinct
            ? "each distinct item once, padded to a multiple of " + DistinctColumns.PAD
            : "every column");
    for (Map.Entry<String, Double> e : ((Map<String, Double>) out.get("phase_share")).entrySet()) {
      w.printf("  %-15s %5.1f%%%n", e.getKey(), 100 * e.getValue());
    }
    w.printf(
        "  allocated: %.0f bytes/step on the training thread, %.0f in all threads%n",
        (Double) out.get("allocated_bytes_per_step"),
        (Double) out.get("allocated_bytes_per_step_all_threads"));
    w.flush();
  }

  /**
   * The differences of consecutive recorded step-end times (0 = not recorded), in nanoseconds, in
   * step order; empty when fewer than two were recorded.
   */
  static long[] stepNanos(long[] stepEnds) {
    int recorded = 0;
    while (recorded < stepEnds.length && stepEnds[recorded] != 0) {
      recorded++;
    }
    long[] d = new long[Math.max(0, recorded - 1)];
    for (int i = 0; i < d.length; i++) {
      d[i] = stepEnds[i + 1] - stepEnds[i];
    }
    return d;
  }

  /**
   * The q-quantile (0 ≤ q ≤ 1) of sorted step times, in ms: the nearest rank, except that the
   * median of an even count is the mean of the middle two; NaN when there are none.
   */
  static double quantileMillis(long[] sortedNanos, double q) {
    int n = sortedNanos.length;
    if (n == 0) {
      return Double.NaN;
    }
    if (q == 0.5 && n % 2 == 0) {
      return (sortedNanos[n / 2 - 1] + sortedNanos[n / 2]) / 2.0 / 1e6;
    }
    return sortedNanos[(int) Math.round(q * (n - 1))] / 1e6;
  }

  /** Bytes allocated so far by the calling thread (HotSpot's ThreadMXBean), or 0 if unsupported. */
  static long allocatedBytes() {
    com.sun.management.ThreadMXBean mx = hotSpotThreads();
    return mx == null ? 0 : mx.getThreadAllocatedBytes(Thread.currentThread().getId());
  }

  /**
   * Bytes allocated so far by the live threads of the JVM, kernel workers and data threads included
   * (HotSpot's ThreadMXBean), or 0 if unsupported. Summed per thread because the one-call total is
   * not in the Java 17 API; a thread that has ended drops out of the sum, which the training step's
   * pool threads never do.
   */
  static long allocatedBytesAllThreads() {
    com.sun.management.ThreadMXBean mx = hotSpotThreads();
    if (mx == null) {
      return 0;
    }
    long total = 0;
    for (long bytes : mx.getThreadAllocatedBytes(mx.getAllThreadIds())) {
      total += Math.max(0, bytes);
    }
    return total;
  }

  private static com.sun.management.ThreadMXBean hotSpotThreads() {
    java.lang.management.ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    return mx instanceof com.sun.management.ThreadMXBean
        ? (com.sun.management.ThreadMXBean) mx
        : null;
  }

  /** VmHWM of this process (Linux), or −1. */
  static double peakRssMb() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmHWM:")) {
          return Long.parseLong(line.replaceAll("\\D", "")) / 1024.0;
        }
      }
    } catch (IOException | RuntimeException e) {
      return -1;
    }
    return -1;
  }
}
