package org.sbcnm.training.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import org.sbcnm.engine.kernel.Kernels;
import org.sbcnm.engine.kernel.MatrixOps;
import org.sbcnm.engine.tensor.Tensor;
import org.sbcnm.training.retrieval.ExactIndex;
import org.sbcnm.training.retrieval.HnswIndex;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Exact against HNSW on synthetic unit vectors: clustered (shaped like trained item embeddings) or
 * uniformly random (HNSW's worst case). Reports exact queries/s, HNSW build time, and for each ef
 * the queries/s, the speed-up over exact and recall@k against exact.
 */
@Command(
    name = "bench-index",
    mixinStandardHelpOptions = true,
    description =
        "Exact vs HNSW top-k on synthetic unit vectors: build time, queries/s and recall@k.")
final class BenchIndexCommand implements Callable<Integer> {
  @Option(
      names = "--items",
      defaultValue = "1000000",
      description = "Random unit vectors to index.")
  int items;

  @Option(names = "--dim", defaultValue = "64", description = "Their dimension.")
  int dim;

  @Option(names = "--queries", defaultValue = "2000", description = "Random queries to search.")
  int queries;

  @Option(names = "--k", defaultValue = "100", description = "Neighbours per query.")
  int k;

  @Option(
      names = "--clusters",
      defaultValue = "1000",
      description = "0 = uniformly random vectors.")
  int clusters;

  @Option(
      names = "--spread",
      defaultValue = "0.3",
      description = "Within-cluster noise (relative to unit-norm centres).")
  double spread;

  @Option(names = "--m", defaultValue = "16", description = "HNSW graph degree M.")
  int m;

  @Option(names = "--beam", defaultValue = "100", description = "HNSW construction beam width.")
  int beam;

  @Option(
      names = "--ef",
      defaultValue = "100,150,200,400",
      split = ",",
      description = "HNSW search beam widths to measure, comma-separated.")
  int[] efs;

  @Option(
      names = "--threads",
      defaultValue = "0",
      description = "Worker threads (0 = one per core).")
  int threads;

  @Option(
      names = "--json",
      paramLabel = "FILE",
      description = "Also write the measurements as JSON.")
  Path json;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  static Tensor vectors(int n, int d, int clusters, double spread, long seed) {
    SplittableRandom centres = new SplittableRandom(99);
    double[][] c = new double[Math.max(1, clusters)][d];
    for (double[] x : c) {
      for (int j = 0; j < d; j++) {
        x[j] = centres.nextGaussian() / Math.sqrt(d);
      }
    }
    SplittableRandom rng = new SplittableRandom(seed);
    Tensor t = Tensor.zeros(n, d);
    float[] f = t.floats();
    for (int i = 0; i < n; i++) {
      double[] cc = clusters > 0 ? c[rng.nextInt(clusters)] : null;
      for (int j = 0; j < d; j++) {
        f[i * d + j] =
            (float)
                ((cc == null ? 0 : cc[j])
                    + (clusters > 0 ? spread / Math.sqrt(d) : 1) * rng.nextGaussian());
      }
    }
    MatrixOps.rowL2Normalize(t, t, null, 1e-12);
    return t;
  }

  @Override
  public Integer call() throws IOException {
    if (threads > 0) {
      Kernels.setThreads(threads);
    }
    Tensor base = vectors(items, dim, clusters, spread, 1);
    Tensor q = vectors(queries, dim, clusters, spread, 2);
    int[] truth = new int[queries * k];
    float[] scores = new float[queries * k];
    ExactIndex exact = new ExactIndex(base);
    exact.search(q, k, null, truth, scores);
    long t0 = System.nanoTime();
    exact.search(q, k, null, truth, scores);
    double exactQps = queries / ((System.nanoTime() - t0) / 1e9);
    t0 = System.nanoTime();
    HnswIndex hnsw = HnswIndex.build(base, m, beam, 42);
    double build = (System.nanoTime() - t0) / 1e9;
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("items", items);
    out.put("dim", dim);
    out.put("clusters", clusters);
    out.put("threads", Kernels.threads());
    out.put("exact_queries_per_second", exactQps);
    out.put("hnsw_m", m);
    out.put("hnsw_beam", beam);
    out.put("hnsw_build_seconds", build);
    PrintWriter w = spec.commandLine().getOut();
    w.printf(
        "%d items x %d (%s), %d threads: exact %.0f q/s; HNSW M=%d beam=%d built in %.1f s%n",
        items,
        dim,
        clusters > 0 ? clusters + " clusters" : "uniform",
        Kernels.threads(),
        exactQps,
        m,
        beam,
        build);
    for (int ef : efs) {
      int[] approx = new int[queries * k];
      hnsw.search(q, k, Math.max(ef, k), null, approx, scores);
      t0 = System.nanoTime();
      hnsw.search(q, k, Math.max(ef, k), null, approx, scores);
      double qps = queries / ((System.nanoTime() - t0) / 1e9);
      double recall = EvalCommand.overlap(truth, approx, queries, k);
      out.put("ef" + ef + "_queries_per_second", qps);
      out.put("ef" + ef + "_recall@" + k, recall);
      w.printf(
          "  ef=%-4d %8.0f q/s  %5.1fx exact  recall@%d %.4f%n",
          ef, qps, qps / exactQps, k, recall);
      w.flush();
    }
    if (json != null) {
      Json.write(json, out);
    }
    return 0;
  }
}
