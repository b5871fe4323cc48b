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
 * ample buckets) and for m = 1, 2, 4 hashes at an equal total of buckets, as CSV and charts.
 */
@Command(
    name = "simulate-estimator",
    mixinStandardHelpOptions = true,
    description =
        "Reproduce the paper's estimator simulation (Section 6.1): error over time for several alpha and hash counts.")
final class SimulateCommand implements Callable<Integer> {
  @Option(names = "--out", defaultValue = "estimator-simulation", paramLabel = "DIR")
  Path out;

  @Option(names = "--items", defaultValue = "1000")
  int items;

  @Option(names = "--batch", defaultValue = "128")
  int batch;

  @Option(names = "--steps", defaultValue = "20000")
  int steps;

  @Option(names = "--switch_at", defaultValue = "10000")
  int switchAt;

  @Option(names = "--every", defaultValue = "100")
  int every;

  @Option(names = "--alphas", defaultValue = "0.01,0.05,0.1", split = ",")
  double[] alphas;

  @Option(
      names = "--total_buckets",
      defaultValue = "2048",
      description = "Bucket budget shared by the m hash functions.")
  int totalBuckets;

  @Option(names = "--hashes", defaultValue = "1,2,4", split = ",")
  int[] hashes;

  @Option(names = "--seed", defaultValue = "1")
  long seed;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws IOException {
    EstimatorSimulation sim = new EstimatorSimulation(items, batch, steps, switchAt, every, seed);
    Map<String, double[]> byAlpha = new LinkedHashMap<>();
    for (double a : alphas) {
      byAlpha.put("alpha=" + a, sim.run(new StreamingFrequencyEstimator(1 << 20, 1, a, 0)));
    }
    Map<String, double[]> byHashes = new LinkedHashMap<>();
    for (int m : hashes) {
      if (totalBuckets % m != 0 || Integer.bitCount(totalBuckets / m) != 1) {
        throw new CliException(
            "--total_buckets " + totalBuckets + " must split into " + m + " power-of-two arrays");
      }
      byHashes.put(
          "m=" + m + " (H=" + totalBuckets / m + ")",
          sim.run(new StreamingFrequencyEstimator(totalBuckets / m, m, 0.01, 7)));
    }
    int n = steps / every;
    double[] x = new double[n];
    for (int i = 0; i < n; i++) {
      x[i] = (i + 1.0) * every;
    }
    Map<String, double[]> all = new LinkedHashMap<>(byAlpha);
    all.putAll(byHashes);
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
    Charts.save(
        Charts.lines(
            "Estimator error, distribution switched at step " + switchAt,
            "step",
            "error (½ Σ|p̂/|B| − q|)",
            x,
            byAlpha),
        out,
        "error_by_alpha");
    Charts.save(
        Charts.lines(
            "Estimator error at " + totalBuckets + " buckets in all (α = 0.01)",
            "step",
            "error (½ Σ|p̂/|B| − q|)",
            x,
            byHashes),
        out,
        "error_by_hashes");
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
    return 0;
  }
}
