package org.sbcnm.engine.kernel;

/**
 * The naive float32 kernels: one plain loop each, written for obviousness. They are the oracle the
 * SIMD kernels are tested against, so they stay naive; never optimise them here.
 */
final class ScalarKernels implements FloatKernels {
  static final ScalarKernels INSTANCE = new ScalarKernels();

  private ScalarKernels() {}

  @Override
  public String name() {
    return "scalar";
  }

  @Override
  public int lanes() {
    return 1;
  }

  @Override
  public float dot(float[] a, int ao, float[] b, int bo, int n) {
    float s = 0f;
    for (int k = 0; k < n; k++) {
      s += a[ao + k] * b[bo + k];
    }
    return s;
  }

  @Override
  public void axpy(float alpha, float[] x, int xo, float[] y, int yo, int n) {
    for (int k = 0; k < n; k++) {
      y[yo + k] += alpha * x[xo + k];
    }
  }

  @Override
  public void scale(float alpha, float[] x, int xo, float[] out, int oo, int n) {
    for (int k = 0; k < n; k++) {
      out[oo + k] = alpha * x[xo + k];
    }
  }

  @Override
  public void add(float[] a, int ao, float[] b, int bo, float[] out, int oo, int n) {
    for (int k = 0; k < n; k++) {
      out[oo + k] = a[ao + k] + b[bo + k];
    }
  }

  @Override
  public void mul(float[] a, int ao, float[] b, int bo, float[] out, int oo, int n) {
    for (int k = 0; k < n; k++) {
      out[oo + k] = a[ao + k] * b[bo + k];
    }
  }

  @Override
  public void mulAdd(float[] a, int ao, float[] b, int bo, float[] out, int oo, int n) {
    for (int k = 0; k < n; k++) {
      out[oo + k] += a[ao + k] * b[bo + k];
    }
  }

  @Override
  public void relu(float[] x, int xo, float[] out, int oo, int n) {
    for (int k = 0; k < n; k++) {
      out[oo + k] = Math.max(x[xo + k], 0f);
    }
  }

  @Override
  public void reluBackward(
      float[] x, int xo, float[] g, int go, boolean accumulate, float[] out, int oo, int n) {
    for (int k = 0; k < n; k++) {
      float d = x[xo + k] > 0f ? g[go + k] : 0f;
      out[oo + k] = accumulate ? out[oo + k] + d : d;
    }
  }

  @Override
  public float sum(float[] x, int xo, int n) {
    float s = 0f;
    for (int k = 0; k < n; k++) {
      s += x[xo + k];
    }
    return s;
  }

  @Override
  public float sumSquares(float[] x, int xo, int n) {
    float s = 0f;
    for (int k = 0; k < n; k++) {
      s += x[xo + k] * x[xo + k];
    }
    return s;
  }

  @Override
  public float max(float[] x, int xo, int n) {
    float m = Float.NEGATIVE_INFINITY;
    for (int k = 0; k < n; k++) {
      m = Math.max(m, x[xo + k]);
    }
    return m;
  }

  @Override
  public float expShifted(float[] x, int xo, float shift, float[] out, int oo, int n) {
    float s = 0f;
    for (int k = 0; k < n; k++) {
      float e = (float) Math.exp(x[xo + k] - shift);
      out[oo + k] = e;
      s += e;
    }
    return s;
  }

  @Override
  public int firstAbove(float[] x, int from, int to, float threshold) {
    for (int k = from; k < to; k++) {
      if (x[k] > threshold) {
        return k;
      }
    }
    return to;
  }

  @Override
  public int countAbove(float[] x, int from, int to, float threshold, boolean inclusive) {
    int count = 0;
    for (int k = from; k < to; k++) {
      if (x[k] > threshold || (inclusive && x[k] == threshold)) {
        count++;
      }
    }
    return count;
  }

  @Override
  public void gemm(
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
      WorkerPool shareWith) {
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < n; j++) {
        float s = 0f;
        for (int p = 0; p < k; p++) {
          float aip = transA ? a[ao + p * lda + i] : a[ao + i * lda + p];
          float bpj = transB ? b[bo + j * ldb + p] : b[bo + p * ldb + j];
          s += aip * bpj;
        }
        int ci = co + i * ldc + j;
        c[ci] = beta == 0f ? alpha * s : beta * c[ci] + alpha * s;
      }
    }
  }
}
