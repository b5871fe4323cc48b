package org.sbcnm.bench;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.sbcnm.engine.kernel.TopK;
import org.sbcnm.engine.tensor.Tensor;

/**
 * Per-row top-100 of a 1024 × 50,000 score block (one batch of queries against a 50k catalogue),
 * SIMD threshold scan against the scalar one. Scores are Gaussian, as dot products of embeddings
 * roughly are. One operation = the whole block; rows/s = ops/s × 1024.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(
    value = 1,
    jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xmx2g"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class TopKBenchmark {
  @Param({"simd", "scalar"})
  public String impl;

  @Param({"1", "2"})
  public int threads;

  @Param({"100"})
  public int k;

  private Tensor scores;
  private int[] idx;
  private float[] vals;

  @Setup(Level.Trial)
  public void setUp() {
    KernelChoice.use(impl, threads);
    int rows = 1024;
    int cols = 50_000;
    scores = Tensor.zeros(rows, cols);
    SplittableRandom rng = new SplittableRandom(3);
    float[] s = scores.floats();
    for (int i = 0; i < s.length; i++) {
      s[i] = (float) rng.nextGaussian();
    }
    idx = new int[rows * k];
    vals = new float[rows * k];
  }

  @Benchmark
  public int[] topK() {
    TopK.rows(scores, k, idx, vals);
    return idx;
  }
}
