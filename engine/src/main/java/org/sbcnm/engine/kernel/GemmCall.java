package org.sbcnm.engine.kernel;

/**
 * The arguments of one GEMM call, C = β·C + α·op(A)·op(B) (see {@link FloatKernels#gemm}), kept by
 * a reusable task whose chunks each compute part of C.
 */
final class GemmCall {
  boolean transA;
  boolean transB;
  int m;
  int n;
  int k;
  float alpha;
  float[] a;
  int ao;
  int lda;
  float[] b;
  int bo;
  int ldb;
  float beta;
  float[] c;
  int co;
  int ldc;

  void set(
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
    this.transA = transA;
    this.transB = transB;
    this.m = m;
    this.n = n;
    this.k = k;
    this.alpha = alpha;
    this.a = a;
    this.ao = ao;
    this.lda = lda;
    this.b = b;
    this.bo = bo;
    this.ldb = ldb;
    this.beta = beta;
    this.c = c;
    this.co = co;
    this.ldc = ldc;
  }

  void clear() {
    a = null;
    b = null;
    c = null;
  }
}
