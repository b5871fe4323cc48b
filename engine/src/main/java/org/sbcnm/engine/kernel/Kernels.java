package org.sbcnm.engine.kernel;

import java.util.Objects;

/**
 * The one public entry to the float32 kernels: checks its arguments, then calls the implementation
 * chosen at start-up (scalar or Vector API, see {@link #implementation()}).
 *
 * <p>Arrays named {@code out}, {@code y} or {@code c} are modified; every other array is not. GEMM
 * is split across {@link #threads()} threads by rows of C when the product is large enough to pay
 * for it.
 */
public final class Kernels {
  /** Below this many multiply-adds a GEMM runs on the calling thread. */
  private static final long PARALLEL_MIN_FLOPS = 1L << 18;

  private static volatile WorkerPool pool;

  /** The pool bound to a thread ({@link KernelPool#bind}); pool threads are bound to their own. */
  static final ThreadLocal<WorkerPool> BOUND = new ThreadLocal<>();

  private Kernels() {}

  static FloatKernels impl() {
    return KernelProvider.get();
  }

  /** Name of the implementation in use: {@code "simd"} or {@code "scalar"}. */
  public static String implementation() {
    return impl().name();
  }

  /** Float lanes per vector of the implementation in use (1 for scalar). */
  public static int lanes() {
    return impl().lanes();
  }

  /** True when the {@code jdk.incubator.vector} module is resolved in this JVM. */
  public static boolean vectorApiAvailable() {
    return KernelProvider.vectorModulePresent();
  }

  /**
   * Threads GEMM and other row-parallel kernels use on the calling thread: those of the {@link
   * KernelPool} bound to it, if any; else those of the process-wide default pool, which has the
   * {@code sbcnm.threads} system property's count if set, else one per available processor, unless
   * changed by {@link #setThreads}.
   */
  public static int threads() {
    return pool().threads();
  }

  /**
   * Replaces the process-wide default pool with one of {@code threads} (≥ 1) threads, for threads
   * with no {@link KernelPool} bound: for a program's entry point, which owns the process. Library
   * code that runs beside other work binds a pool of its own instead.
   */
  public static synchronized void setThreads(int threads) {
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be >= 1, got " + threads);
    }
    WorkerPool old = pool;
    if (old != null && old.threads() == threads) {
      return;
    }
    pool = new WorkerPool(threads);
    if (old != null) {
      old.shutdown();
    }
  }

  static WorkerPool pool() {
    WorkerPool bound = BOUND.get();
    if (bound != null) {
      return bound;
    }
    WorkerPool p = pool;
    if (p == null) {
      synchronized (Kernels.class) {
        p = pool;
        if (p == null) {
          p = pool = new WorkerPool(KernelProvider.defaultThreads());
        }
      }
    }
    return p;
  }

  /**
   * Runs {@code body.runChunk(c)} for c in [0, chunks) on the kernel threads; returns when done.
   */
  public static void parallelFor(int chunks, ChunkBody body) {
    Objects.requireNonNull(body, "body");
    pool().run(chunks, body);
  }

  /** One numbered chunk of a {@link #parallelFor} loop. */
  @FunctionalInterface
  public interface ChunkBody {
    void runChunk(int chunk);
  }

  private static void range(float[] a, int off, int n, String what) {
    Objects.checkFromIndexSize(off, n, Objects.requireNonNull(a, what).length);
  }

  /** Σ a[ao+k]·b[bo+k], k &lt; n. */
  public static float dot(float[] a, int ao, float[] b, int bo, int n) {
    range(a, ao, n, "a");
    range(b, bo, n, "b");
    return impl().dot(a, ao, b, bo, n);
  }

  /** y += alpha·x. Modifies y. */
  public static void axpy(float alpha, float[] x, int xo, float[] y, int yo, int n) {
    range(x, xo, n, "x");
    range(y, yo, n, "y");
    impl().axpy(alpha, x, xo, y, yo, n);
  }

  /** out = alpha·x. Modifies out (may be x). */
  public static void scale(float alpha, float[] x, int xo, float[] out, int oo, int n) {
    range(x, xo, n, "x");
    range(out, oo, n, "out");
    impl().scale(alpha, x, xo, out, oo, n);
  }

  /** out = a + b. Modifies out (may be a or b). */
  public static void add(float[] a, int ao, float[] b, int bo, float[] out, int oo, int n) {
    range(a, ao, n, "a");
    range(b, bo, n, "b");
    range(out, oo, n, "out");
    impl().add(a, ao, b, bo, out, oo, n);
  }

  /** out = a ⊙ b. Modifies out (may be a or b). */
  public static void mul(float[] a, int ao, float[] b, int bo, float[] out, int oo, int n) {
    range(a, ao, n, "a");
    range(b, bo, n, "b");
    range(out, oo, n, "out");
    impl().mul(a, ao, b, bo, out, oo, n);
  }

  /** out += a ⊙ b. Modifies out. */
  public static void mulAdd(float[] a, int ao, float[] b, int bo, float[] out, int oo, int n) {
    range(a, ao, n, "a");
    range(b, bo, n, "b");
    range(out, oo, n, "out");
    impl().mulAdd(a, ao, b, bo, out, oo, n);
  }

  /** out = max(x, 0). Modifies out (may be x). */
  public static void relu(float[] x, int xo, float[] out, int oo, int n) {
    range(x, xo, n, "x");
    range(out, oo, n, "out");
    impl().relu(x, xo, out, oo, n);
  }

  /** out (+)= g where x &gt; 0, adding when {@code accumulate}. Modifies out. */
  public static void reluBackward(
      float[] x, int xo, float[] g, int go, boolean accumulate, float[] out, int oo, int n) {
    range(x, xo, n, "x");
    range(g, go, n, "g");
    range(out, oo, n, "out");
    impl().reluBackward(x, xo, g, go, accumulate, out, oo, n);
  }

  /** Σ x. */
  public static float sum(float[] x, int xo, int n) {
    range(x, xo, n, "x");
    return impl().sum(x, xo, n);
  }

  /** Σ x². */
  public static float sumSquares(float[] x, int xo, int n) {
    range(x, xo, n, "x");
    return impl().sumSquares(x, xo, n);
  }

  /** max x, or -∞ for n = 0. */
  public static float max(float[] x, int xo, int n) {
    range(x, xo, n, "x");
    return impl().max(x, xo, n);
  }

  /** out = exp(x − shift), returning Σ out. Modifies out (may be x). */
  public static float expShifted(float[] x, int xo, float shift, float[] out, int oo, int n) {
    range(x, xo, n, "x");
    range(out, oo, n, "out");
    return impl().expShifted(x, xo, shift, out, oo, n);
  }

  /** The smallest k in [from, to) with x[k] &gt; threshold, or {@code to}. */
  public static int firstAbove(float[] x, int from, int to, float threshold) {
    Objects.checkFromToIndex(from, to, x.length);
    return impl().firstAbove(x, from, to, threshold);
  }

  /**
   * How many k in [from, to) have x[k] &gt; threshold, or x[k] ≥ threshold when {@code inclusive}
   * (NaN counts in neither).
   */
  public static int countAbove(float[] x, int from, int to, float threshold, boolean inclusive) {
    Objects.checkFromToIndex(from, to, x.length);
    return impl().countAbove(x, from, to, threshold, inclusive);
  }

  /**
   * C = β·C + α·op(A)·op(B), row-major with leading dimensions. op(A) is [m, k]: A is stored [m,
   * lda ≥ k], or [k, lda ≥ m] when {@code transA}; op(B) is [k, n]: B is stored [k, ldb ≥ n], or
   * [n, ldb ≥ k] when {@code transB}. C is [m, ldc ≥ n] and is modified; it must not overlap A or
   * B. β = 0 overwrites C without reading it.
   */
  public static void gemm(
      boolean transA,
      boolean transB,
      int m,
      int n,
      int k,
      float alpha,
      float[] a,
      int ao,
      int lda,
      float[] b,
      int bo,
      int ldb,
      float beta,
      float[] c,
      int co,
      int ldc) {
    if (m < 0 || n < 0 || k < 0) {
      throw new IllegalArgumentException("gemm: negative size m=" + m + " n=" + n + " k=" + k);
    }
    checkOperand("A", a, ao, lda, transA ? k : m, transA ? m : k);
    checkOperand("B", b, bo, ldb, transB ? n : k, transB ? k : n);
    checkOperand("C", c, co, ldc, m, n);
    gemmUnchecked(impl(), transA, transB, m, n, k, alpha, a, ao, lda, b, bo, ldb, beta, c, co, ldc);
  }

  private static void checkOperand(String name, float[] x, int off, int ld, int rows, int cols) {
    Objects.requireNonNull(x, name);
    if (rows == 0 || cols == 0) {
      return;
    }
    if (ld < cols) {
      throw new IllegalArgumentException(
          "gemm: " + name + " leading dimension " + ld + " < " + cols);
    }
    long last = (long) off + (long) (rows - 1) * ld + cols;
    if (off < 0 || last > x.length) {
      throw new IllegalArgumentException(
          "gemm: "
              + name
              + " ["
              + rows
              + ", "
              + cols
              + "] (ld "
              + ld
              + ", offset "
              + off
              + ") exceeds array of "
              + x.length);
    }
  }

  static void gemmUnchecked(
      FloatKernels kernels,
      boolean transA,
      boolean transB,
      int m,
      int n,
      int k,
      float alpha,
      float[] a,
      int ao,
      int lda,
      float[] b,
      int bo,
      int ldb,
      float beta,
      float[] c,
      int co,
      int ldc) {
    WorkerPool p = pool();
    int threads = p.threads();
    long flops = (long) m * n * k;
    // Threads split the rows of C, or its columns when C is wider than tall (the weight
    // gradients): every thread packs the whole of the operand it does not split, so the split
    // goes along the larger side. Each element of C is computed by one thread in the same order
    // either way, so the result does not depend on the thread count.
    boolean byColumns = n > m;
    int columnUnit = 2 * kernels.lanes();
    boolean tooSmall = byColumns ? n < 2 * columnUnit : m < 2 * SimdGemmRows.MR;
    boolean small = threads == 1 || flops < PARALLEL_MIN_FLOPS || tooSmall;
    if (small || p.busy()) {
      // Inside a parallel region (one tower per thread) a split would run inline, packing the
      // unsplit operand once per chunk; instead the product runs whole, and the pool's threads that
      // have finished their part of the region may take blocks of it.
      WorkerPool shareWith = small ? null : p;
      kernels.gemm(
          transA, transB, m, n, k, alpha, a, ao, lda, b, bo, ldb, beta, c, co, ldc, shareWith);
      return;
    }
    GemmTask t = GemmTask.LOCAL.get();
    t.call.set(transA, transB, m, n, k, alpha, a, ao, lda, b, bo, ldb, beta, c, co, ldc);
    t.kernels = kernels;
    t.chunks = threads;
    t.byColumns = byColumns;
    t.columnUnit = columnUnit;
    try {
      p.run(threads, t);
    } finally {
      t.clear();
    }
  }

  /** Row-split of one GEMM; one reusable instance per calling thread. */
  private static final class GemmTask implements ChunkBody {
    static final ThreadLocal<GemmTask> LOCAL = ThreadLocal.withInitial(GemmTask::new);
    final GemmCall call = new GemmCall();
    FloatKernels kernels;
    int chunks;
    boolean byColumns;
    int columnUnit;

    void clear() {
      call.clear();
      kernels = null;
    }

    @Override
    public void runChunk(int chunk) {
      // Split in multiples of the micro-kernel tile so no thread computes a ragged tile it could
      // have avoided.
      GemmCall g = call;
      int size = byColumns ? g.n : g.m;
      int unit = byColumns ? columnUnit : SimdGemmRows.MR;
      int units = (size + unit - 1) / unit;
      int from = Math.min(size, (int) ((long) units * chunk / chunks) * unit);
      int to = Math.min(size, (int) ((long) units * (chunk + 1) / chunks) * unit);
      if (from >= to) {
        return;
      }
      // A column split takes columns of op(B) and C; a row split, rows of op(A) and C.
      int aOff = byColumns ? g.ao : g.transA ? g.ao + from : g.ao + from * g.lda;
      int bOff = !byColumns ? g.bo : g.transB ? g.bo + from * g.ldb : g.bo + from;
      kernels.gemm(
          g.transA,
          g.transB,
          byColumns ? g.m : to - from,
          byColumns ? to - from : g.n,
          g.k,
          g.alpha,
          g.a,
          aOff,
          g.lda,
          g.b,
          bOff,
          g.ldb,
          g.beta,
          g.c,
          g.co + (byColumns ? from : from * g.ldc),
          g.ldc,
          null);
    }
  }

  /** The micro-kernel height, kept here so this class never loads the Vector API. */
  private static final class SimdGemmRows {
    static final int MR = 4;

    private SimdGemmRows() {}
  }
}
