package org.sbcnm.training.cli;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.sbcnm.engine.io.AtomicFiles;
import org.sbcnm.training.sampling.EstimatorSimulation;
import org.sbcnm.training.sampling.StreamingFrequencyEstimator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The streaming estimator experiment of Yi et al. 2019, §6.1: error curves for several α (one hash,
 * ample buckets) and for m = 1, 2, 4 hashes at an equal total of buckets with heavy collisions
 * (fewer buckets than items), as CSV and charts. A hash comparison rests on the hash functions
 * drawn, so each m runs with {@code --hash_seeds} seeds derived from {@code --seed}, every m on the
 * same sampling streams, and the chart shows the mean with its spread (±1 standard deviation).
 */
@Command(
    name = "simulate-estimator",
    mixinStandardHelpOptions = true,
    description =
        "Reproduce the paper's estimator simulation (Section 6.1): error over time for several alpha and hash counts.")
final class SimulateCommand implements Callable<Integer> {
  @Option(
      names = "--out",
      defaultValue = "estimator-simulation",
      paramLabel = "DIR",
      description = "Folder for the CSV and chart.")
  Path out;

  @Option(
      names = "--items",
      defaultValue = "1000",
      description = "Items in the simulated catalogue.")
  int items;

  @Option(names = "--batch", defaultValue = "128", description = "Items sampled per step.")
  int batch;

  @Option(names = "--steps", defaultValue = "20000", description = "Steps to simulate.")
  int steps;

  @Option(
      names = "--switch_at",
      defaultValue = "10000",
      description = "Step at which the popularity distribution changes.")
  int switchAt;

  @Option(
      names = "--every",
      defaultValue = "100",
      description = "Record the error every this many steps.")
  int every;

  @Option(
      names = "--alphas",
      defaultValue = "0.01,0.05,0.1",
      split = ",",
      description = "Estimator learning rates α to compare, comma-separated.")
  double[] alphas;

  @Option(
      names = "--total_buckets",
      defaultValue = "1024",
      description =
          "Bucket budget shared by the m hash functions (about --items: heavy collisions).")
  int totalBuckets;

  @Option(
      names = "--hash_seeds",
      defaultValue = "10",
      description =
          "Hash seeds (and sampling streams) per hash count; the chart shows their mean and spread.")
  int hashSeeds;

  @Option(
      names = "--hashes",
      defaultValue = "1,2,4",
      split = ",",
      description = "Numbers of hash functions m to compare, comma-separated.")
  int[] hashes;

  @Option(
      names = "--seed",
      defaultValue = "1",
      description = "Seeds the sampling streams and the hash functions.")
  long seed;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  /** The hash seed of trial r: never 0, the reference hash, so each trial draws its functions. */
  static long hashSeed(long seed, int r) {
    return org.sbcnm.engine.param.Seeds.mix64(seed * 0x9E3779B97F4A7C15L + r) | 1L;
  }

  @Override
  public Integer call() throws IOException {
    EstimatorSimulation sim = new EstimatorSimulation(items, batch, steps, switchAt, every, seed);
    Map<String, double[]> byAlpha = new LinkedHashMap<>();
    if (hashSeeds < 1) {
      throw new CliException("--hash_seeds must be >= 1, got " + hashSeeds);
    }
    for (double a : alphas) {
      byAlpha.put(
          "alpha=" + a, sim.run(new StreamingFrequencyEstimator(1 << 20, 1, a, hashSeed(seed, 0))));
    }
    Map<String, EstimatorSimulation.Band> bands = new LinkedHashMap<>();
    for (int m : hashes) {
      if (totalBuckets % m != 0 || Integer.bitCount(totalBuckets / m) != 1) {
        throw new CliException(
            "--total_buckets " + totalBuckets + " must split into " + m + " power-of-two arrays");
      }
      bands.put(
          "m=" + m + " (H=" + totalBuckets / m + ")",
          sim.runMany(
              r -> new StreamingFrequencyEstimator(totalBuckets / m, m, 0.01, hashSeed(seed, r)),
              hashSeeds));
    }
    Map<String, double[]> byHashes = new LinkedHashMap<>();
    Map<String, double[]> spreads = new LinkedHashMap<>();
    for (Map.Entry<String, EstimatorSimulation.Band> e : bands.entrySet()) {
      byHashes.put(e.getKey() + " mean", e.getValue().mean());
      byHashes.put(e.getKey() + " min", e.getValue().min());
      byHashes.put(e.getKey() + " max", e.getValue().max());
      spreads.put(e.getKey(), e.getValue().sd());
    }
    int n = steps / every;
    double[] x = new double[n];
    for (int i = 0; i < n; i++) {
      x[i] = (i + 1.0) * every;
    }
    Map<String, double[]> all = new LinkedHashMap<>(byAlpha);
    all.putAll(byHashes);
    writeCsv(x, all);
    charts(x, byAlpha, bands, spreads);
    print(all, n);
    return 0;
  }

  /** The error curves, one column each, as estimator_error.csv. */
  private void writeCsv(double[] x, Map<String, double[]> all) throws IOException {
    int n = x.length;
    AtomicFiles.write(
        out.resolve("estimator_error.csv"),
        o -> {
          BufferedWriter w = new BufferedWriter(new OutputStreamWriter(o, StandardCharsets.UTF_8));
          w.write("step");
          for (String name : all.keySet()) {
            w.write(",\"" + name + "\"");
          }
          w.write('\n');
          for (int i = 0; i < n; i++) {
            w.write(Long.toString((long) x[i]));
            for (double[] e : all.values()) {
              w.write("," + e[i]);
            }
            w.write('\n');
          }
          w.flush();
        });
  }

  private void charts(
      double[] x,
      Map<String, double[]> byAlpha,
      Map<String, EstimatorSimulation.Band> bands,
      Map<String, double[]> spreads)
      throws IOException {
    Charts.save(
        Charts.lines(
            "Estimator error, distribution switched at step " + switchAt,
            "step",
            "error (½ Σ|p̂/|B| − q|)",
            x,
            byAlpha),
        out,
        "error_by_alpha");
    Map<String, double[]> means = new LinkedHashMap<>();
    for (Map.Entry<String, EstimatorSimulation.Band> e : bands.entrySet()) {
      means.put(e.getKey(), e.getValue().mean());
    }
    Charts.save(
        Charts.withSpread(
            "Estimator error at "
                + totalBuckets
                + " buckets in all for "
                + items
                + " items (α = 0.01), mean ± sd over "
                + hashSeeds
                + " hash seeds",
            "step",
            "error (½ Σ|p̂/|B| − q|)",
            x,
            means,
            spreads),
        out,
        "error_by_hashes");
  }

  /** The error of each estimator before the switch, shortly after it, and at the end. */
  private void print(Map<String, double[]> all, int n) {
    var o = spec.commandLine().getOut();
    o.printf(
        "%-22s %12s %16s %12s%n",
        "estimator", "before switch", switchAt + "+" + every * 5 + " steps", "final");
    int before = Math.min(n, switchAt / every) - 1;
    int after = Math.min(n - 1, before + 5);
    for (Map.Entry<String, double[]> e : all.entrySet()) {
      double[] v = e.getValue();
      o.printf(
          "%-22s %12.4f %16.4f %12.4f%n",
          e.getKey(), before >= 0 ? v[before] : Double.NaN, v[after], v[n - 1]);
    }
    o.println(
        "wrote "
            + out.resolve("estimator_error.csv")
            + ", error_by_alpha.{svg,png}, error_by_hashes.{svg,png}");
    o.flush();
  }
}
