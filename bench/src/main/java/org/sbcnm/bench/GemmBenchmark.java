package org.sbcnm.bench;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.ejml.data.FMatrixRMaj;
import org.ejml.dense.row.CommonOps_FDRM;
import org.ejml.dense.row.CommonOps_MT_FDRM;
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
import org.sbcnm.engine.kernel.Kernels;

/**
 * C = A·op(B) for the shapes of a 64→256→128→64 tower at batch 1024, and the 1024×1024 score matrix
 * Q·Vᵀ ({@code t} = second operand transposed). Shapes are M×K×N. Reported as operations per
 * second; GFLOP/s = ops/s × 2·M·N·K / 10⁹ (bench/README.md lists both).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(
    value = 1,
    jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class GemmBenchmark {
  @Param({"simd", "scalar", "ejml"})
  public String impl;

  @Param({"1024x64x256", "1024x256x128", "1024x128x64", "1024x64x1024t"})
  public String shape;

  @Param({"1", "2"})
  public int threads;

  private int m;
  private int k;
  private int n;
  private boolean transB;
  private float[] a;
  private float[] b;
  private float[] c;
  private FMatrixRMaj ea;
  private FMatrixRMaj eb;
  private FMatrixRMaj ec;

  @Setup(Level.Trial)
  public void setUp() {
    transB = shape.endsWith("t");
    String[] dims = shape.replace("t", "").split("x");
    m = Integer.parseInt(dims[0]);
    k = Integer.parseInt(dims[1]);
    n = Integer.parseInt(dims[2]);
    SplittableRandom rng = new SplittableRandom(1);
    a = random(m * k, rng);
    b = random(k * n, rng);
    c = new float[m * n];
    if (impl.equals("ejml")) {
      ea = new FMatrixRMaj(m, k, true, a);
      eb = transB ? new FMatrixRMaj(n, k, true, b) : new FMatrixRMaj(k, n, true, b);
      ec = new FMatrixRMaj(m, n);
      Kernels.setThreads(threads);
    } else {
      KernelChoice.use(impl, threads);
    }
  }

  private static float[] random(int size, SplittableRandom rng) {
    float[] x = new float[size];
    for (int i = 0; i < size; i++) {
      x[i] = (float) (rng.nextDouble() - 0.5);
    }
    return x;
  }

  /** Floating-point operations of one call, for the GFLOP/s conversion. */
  public double flops() {
    return 2.0 * m * n * k;
  }

  @Benchmark
  public float[] gemm() {
    if (ea != null) {
      if (threads == 1) {
        if (transB) {
          CommonOps_FDRM.multTransB(ea, eb, ec);
        } else {
          CommonOps_FDRM.mult(ea, eb, ec);
        }
      } else if (transB) {
        CommonOps_MT_FDRM.multTransB(ea, eb, ec);
      } else {
        CommonOps_MT_FDRM.mult(ea, eb, ec);
      }
      return ec.data;
    }
    Kernels.gemm(false, transB, m, n, k, 1f, a, 0, k, b, 0, transB ? k : n, 0f, c, 0, n);
    return c;
  }
}
