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
import org.sbcnm.engine.kernel.MatrixOps;
import org.sbcnm.engine.tensor.Tensor;
import org.sbcnm.training.retrieval.ExactIndex;

/**
 * Exact top-100 for a batch of 1,024 queries over N items × 64 dimensions (random unit vectors, as
 * {@code peers/faiss_topk.py}). One op = one batch; queries/s = ops/s × 1024.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(
    value = 1,
    jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xmx3g"})
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 4, time = 2)
public class RetrievalBenchmark {
  @Param({"50000", "1000000"})
  public int items;

  @Param({"1", "2"})
  public int threads;

  private ExactIndex index;
  private Tensor queries;
  private int[] idx;
  private float[] scores;

  static Tensor unitRows(int n, int d, long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    Tensor t = Tensor.zeros(n, d);
    float[] f = t.floats();
    for (int i = 0; i < f.length; i++) {
      f[i] = (float) rng.nextGaussian();
    }
    MatrixOps.rowL2Normalize(t, t, null, 1e-12);
    return t;
  }

  @Setup(Level.Trial)
  public void setUp() {
    KernelChoice.use("simd", threads);
    index = new ExactIndex(unitRows(items, 64, 1));
    queries = unitRows(1024, 64, 2);
    idx = new int[1024 * 100];
    scores = new float[1024 * 100];
  }

  @Benchmark
  public int[] exactTop100() {
    index.search(queries, 100, null, idx, scores);
    return idx;
  }
}
