package org.sbcnm.engine.kernel;

/**
 * One kernel family: the float32 loops every layer, loss and index runs. Implemented once naively
 * ({@link ScalarKernels}, the test oracle) and once with the Vector API ({@link SimdKernels}).
 *
 * <p>Offsets and lengths are trusted here: {@link Kernels}, the only public entry, checks them.
 * Arrays named {@code out} are modified; all others are not. {@code out} may alias an input only
 * where the element-wise op reads element k before it writes element k.
 */
interface FloatKernels {
  /** Implementation name for logs and provenance ("scalar", "simd"). */
  String name();

  /** Float lanes per vector (1 for scalar). */
  int lanes();

  /** Σ a[k]·b[k]. */
  float dot(float[] a, int ao, float[] b, int bo, int n);

  /** y += alpha·x. */
  void axpy(float alpha, float[] x, int xo, float[] y, int yo, int n);

  /** out = alpha·x. */
  void scale(float alpha, float[] x, int xo, float[] out, int oo, int n);

  /** out = a + b. */
  void add(float[] a, int ao, float[] b, int bo, float[] out, int oo, int n);

  /** out = a ⊙ b. */
  void mul(float[] a, int ao, float[] b, int bo, float[] out, int oo, int n);

  /** out += a ⊙ b. */
  void mulAdd(float[] a, int ao, float[] b, int bo, float[] out, int oo, int n);

  /** out = max(x, 0). */
  void relu(float[] x, int xo, float[] out, int oo, int n);

  /**
   * The ReLU backward rule, x the ReLU's input or output: out += g where x &gt; 0 when {@code
   * accumulate}, else out = (x &gt; 0 ? g : 0) without reading out.
   */
  void reluBackward(
      float[] x, int xo, float[] g, int go, boolean accumulate, float[] out, int oo, int n);

  /** Σ x[k]. */
  float sum(float[] x, int xo, int n);

  /** Σ x[k]². */
  float sumSquares(float[] x, int xo, int n);

  /** max x[k]; -∞ when n = 0. */
  float max(float[] x, int xo, int n);

  /** out = exp(x − shift); returns Σ out. {@code out} may be {@code x}. */
  float expShifted(float[] x, int xo, float shift, float[] out, int oo, int n);

  /** The smallest k in [from, to) with x[k] &gt; threshold, or {@code to} if none. */
  int firstAbove(float[] x, int from, int to, float threshold);

  /**
   * How many k in [from, to) have x[k] &gt; threshold, or x[k] ≥ threshold when {@code inclusive}
   * (NaN counts in neither).
   */
  int countAbove(float[] x, int from, int to, float threshold, boolean inclusive);

  /**
   * C = β·C + α·op(A)·op(B) for the rows of C given. op(A) is [m, k], op(B) is [k, n]; a transposed
   * operand is read as its transpose in place. β = 0 ignores C's old contents. {@code shareWith} is
   * the pool whose parallel region this call runs inside, or null: an implementation may let that
   * pool's idle threads take blocks of the product ({@link WorkerPool#runShared}), with the same
   * result bit for bit.
   */
  void gemm(
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
      int ldc,
      WorkerPool shareWith);
}
