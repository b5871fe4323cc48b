package org.sbcnm.engine.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Blocked single-thread SGEMM on the Vector API: {@code C = β·C + α·op(A)·op(B)}.
 *
 * <p>GotoBLAS/BLIS loop nest: column blocks of {@code NC}, depth blocks of {@code KC} (op(B)
 * packed into {@code KC × NR} micro-panels that stay in L1), row blocks of {@code MC} (op(A)
 * packed into {@code MR × KC} micro-panels that stay in L2), then a register-blocked {@code MR ×
 * NR} micro-kernel with {@code MR = 6} rows and {@code NR = 2} vectors: 12 accumulators, 2 loads
 * of B and one broadcast of A per step fill 15 of the 16 AVX2 registers. Packing reads each
 * operand in whichever orientation it is stored, so the three forms A·B, A·Bᵀ and Aᵀ·B share the
 * micro-kernel. Partial tiles are computed into a zero-padded tile and merged. Packing buffers are
 * per thread and reused, so steady-state calls allocate nothing.
 */
final class SimdGemm {
  private static final VectorSpecies<Float> S = SimdKernels.Species.F;
  private static final int L = SimdKernels.Species.L;
  static final int MR = 6;
  static final int NR = 2 * L;
  private static final int KC = 256;
  private static final int MC = 120;
  private static final int NC = 2048;

  private static final class Workspace {
    final float[] packedA = new float[MC * KC];
    final float[] packedB = new float[NC * KC];
    final float[] tile = new float[MR * NR];
  }

  private static final ThreadLocal<Workspace> WORKSPACE = ThreadLocal.withInitial(Workspace::new);

  private SimdGemm() {}

  static void gemm(
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
    if (m == 0 || n == 0) {
      return;
    }
    if (k == 0 || alpha == 0f) {
      scaleC(m, n, beta, c, co, ldc);
      return;
    }
    Workspace w = WORKSPACE.get();
    for (int jc = 0; jc < n; jc += NC) {
      int nc = Math.min(NC, n - jc);
      for (int pc = 0; pc < k; pc += KC) {
        int kc = Math.min(KC, k - pc);
        float blockBeta = pc == 0 ? beta : 1f;
        packB(transB, b, bo, ldb, pc, kc, jc, nc, w.packedB);
        for (int ic = 0; ic < m; ic += MC) {
          int mc = Math.min(MC, m - ic);
          packA(transA, a, ao, lda, ic, mc, pc, kc, w.packedA);
          for (int jr = 0; jr < nc; jr += NR) {
            int nr = Math.min(NR, nc - jr);
            int pbOff = (jr / NR) * kc * NR;
            for (int ir = 0; ir < mc; ir += MR) {
              int mr = Math.min(MR, mc - ir);
              int paOff = (ir / MR) * kc * MR;
              int cOff = co + (ic + ir) * ldc + jc + jr;
              if (mr == MR && nr == NR) {
                kernel(kc, w.packedA, paOff, w.packedB, pbOff, alpha, blockBeta, c, cOff, ldc);
              } else {
                kernel(kc, w.packedA, paOff, w.packedB, pbOff, alpha, 0f, w.tile, 0, NR);
                mergeTile(w.tile, mr, nr, blockBeta, c, cOff, ldc);
              }
            }
          }
        }
      }
    }
  }

  private static void scaleC(int m, int n, float beta, float[] c, int co, int ldc) {
    for (int i = 0; i < m; i++) {
      int row = co + i * ldc;
      for (int j = 0; j < n; j++) {
        c[row + j] = beta == 0f ? 0f : beta * c[row + j];
      }
    }
  }

  private static void mergeTile(float[] tile, int mr, int nr, float beta, float[] c, int cOff, int ldc) {
    for (int r = 0; r < mr; r++) {
      int row = cOff + r * ldc;
      for (int j = 0; j < nr; j++) {
        c[row + j] = beta == 0f ? tile[r * NR + j] : beta * c[row + j] + tile[r * NR + j];
      }
    }
  }

  /** Packs op(A)[ic:ic+mc, pc:pc+kc] into MR-row micro-panels, p-major, zero-padded. */
  private static void packA(boolean transA, float[] a, int ao, int lda, int ic, int mc, int pc, int kc, float[] pa) {
    for (int ir = 0; ir < mc; ir += MR) {
      int base = (ir / MR) * kc * MR;
      int mr = Math.min(MR, mc - ir);
      if (transA) {
        for (int p = 0; p < kc; p++) {
          int src = ao + (pc + p) * lda + ic + ir;
          int dst = base + p * MR;
          for (int r = 0; r < mr; r++) {
            pa[dst + r] = a[src + r];
          }
          for (int r = mr; r < MR; r++) {
            pa[dst + r] = 0f;
          }
        }
      } else {
        for (int r = 0; r < MR; r++) {
          int dst = base + r;
          if (r < mr) {
            int src = ao + (ic + ir + r) * lda + pc;
            for (int p = 0; p < kc; p++) {
              pa[dst + p * MR] = a[src + p];
            }
          } else {
            for (int p = 0; p < kc; p++) {
              pa[dst + p * MR] = 0f;
            }
          }
        }
      }
    }
  }

  /** Packs op(B)[pc:pc+kc, jc:jc+nc] into NR-column micro-panels, p-major, zero-padded. */
  private static void packB(boolean transB, float[] b, int bo, int ldb, int pc, int kc, int jc, int nc, float[] pb) {
    for (int jr = 0; jr < nc; jr += NR) {
      int base = (jr / NR) * kc * NR;
      int nr = Math.min(NR, nc - jr);
      if (transB) {
        for (int j = 0; j < NR; j++) {
          int dst = base + j;
          if (j < nr) {
            int src = bo + (jc + jr + j) * ldb + pc;
            for (int p = 0; p < kc; p++) {
              pb[dst + p * NR] = b[src + p];
            }
          } else {
            for (int p = 0; p < kc; p++) {
              pb[dst + p * NR] = 0f;
            }
          }
        }
      } else {
        for (int p = 0; p < kc; p++) {
          int src = bo + (pc + p) * ldb + jc + jr;
          int dst = base + p * NR;
          System.arraycopy(b, src, pb, dst, nr);
          for (int j = nr; j < NR; j++) {
            pb[dst + j] = 0f;
          }
        }
      }
    }
  }

  /** The MR × NR register tile: C[0:6, 0:NR] = β·C + α·Σ_p pa[p]·pb[p]. */
  private static void kernel(
      int kc, float[] pa, int paOff, float[] pb, int pbOff, float alpha, float beta, float[] c, int cOff, int ldc) {
    FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S);
    FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
    FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S);
    FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
    FloatVector c40 = FloatVector.zero(S), c41 = FloatVector.zero(S);
    FloatVector c50 = FloatVector.zero(S), c51 = FloatVector.zero(S);
    int ia = paOff;
    int ib = pbOff;
    for (int p = 0; p < kc; p++, ia += MR, ib += NR) {
      FloatVector b0 = FloatVector.fromArray(S, pb, ib);
      FloatVector b1 = FloatVector.fromArray(S, pb, ib + L);
      FloatVector a = FloatVector.broadcast(S, pa[ia]);
      c00 = a.fma(b0, c00);
      c01 = a.fma(b1, c01);
      a = FloatVector.broadcast(S, pa[ia + 1]);
      c10 = a.fma(b0, c10);
      c11 = a.fma(b1, c11);
      a = FloatVector.broadcast(S, pa[ia + 2]);
      c20 = a.fma(b0, c20);
      c21 = a.fma(b1, c21);
      a = FloatVector.broadcast(S, pa[ia + 3]);
      c30 = a.fma(b0, c30);
      c31 = a.fma(b1, c31);
      a = FloatVector.broadcast(S, pa[ia + 4]);
      c40 = a.fma(b0, c40);
      c41 = a.fma(b1, c41);
      a = FloatVector.broadcast(S, pa[ia + 5]);
      c50 = a.fma(b0, c50);
      c51 = a.fma(b1, c51);
    }
    store(c00, c01, alpha, beta, c, cOff);
    store(c10, c11, alpha, beta, c, cOff + ldc);
    store(c20, c21, alpha, beta, c, cOff + 2 * ldc);
    store(c30, c31, alpha, beta, c, cOff + 3 * ldc);
    store(c40, c41, alpha, beta, c, cOff + 4 * ldc);
    store(c50, c51, alpha, beta, c, cOff + 5 * ldc);
  }

  private static void store(FloatVector v0, FloatVector v1, float alpha, float beta, float[] c, int row) {
    if (alpha != 1f) {
      v0 = v0.mul(alpha);
      v1 = v1.mul(alpha);
    }
    if (beta != 0f) {
      v0 = FloatVector.fromArray(S, c, row).fma(FloatVector.broadcast(S, beta), v0);
      v1 = FloatVector.fromArray(S, c, row + L).fma(FloatVector.broadcast(S, beta), v1);
    }
    v0.intoArray(c, row);
    v1.intoArray(c, row + L);
  }
}
