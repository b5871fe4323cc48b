package org.sbcnm.engine.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Blocked single-thread SGEMM on the Vector API: {@code C = β·C + α·op(A)·op(B)}.
 *
 * <p>GotoBLAS/BLIS loop nest: column blocks of {@code NC}, depth blocks of {@code KC} (op(B)
 * packed into {@code KC × NR} micro-panels that stay in L1), row blocks of {@code MC}, then a
 * register-blocked {@code MR × NR} micro-kernel, {@code MR = 4} rows by {@code NR = 2} vectors.
 *
 * <p>Why 4 × 2 and not the textbook 6 × 2: C2 schedules every broadcast of A to the top of the
 * loop body, so a kernel needs accumulators + 2 B vectors + MR broadcast registers; 6 × 2 needs 20
 * of AVX2's 16 and spills an accumulator through the stack (measured: half the speed), 4 × 2 needs
 * 14. A is read in place, as four row streams of a row-major A or four adjacent columns of a
 * transposed one (measured 1.2–2× faster than packing it for the Aᵀ·B weight gradients); only the
 * ragged last row panel is packed p-major. The tile goes to a small buffer and is merged
 * into C with α and β, which keeps a single store path in the kernel (a second one made C2 compile
 * a slower loop). Buffers are per thread and reused, so steady-state calls allocate nothing.
 */
final class SimdGemm {
  private static final VectorSpecies<Float> S = SimdKernels.Species.F;
  private static final int L = SimdKernels.Species.L;
  static final int MR = 4;
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
          // A is read in place: MR row streams of a row-major A, or MR adjacent columns of a
          // transposed one (each step one short run in a line shared by the next tiles); only
          // the ragged last panel is packed.
          for (int jr = 0; jr < nc; jr += NR) {
            int nr = Math.min(NR, nc - jr);
            int pbOff = (jr / NR) * kc * NR;
            for (int ir = 0; ir < mc; ir += MR) {
              int mr = Math.min(MR, mc - ir);
              int paOff;
              int stepP;
              int stepR;
              float[] src;
              if (mr == MR && transA) {
                src = a;
                paOff = ao + pc * lda + ic + ir;
                stepP = lda;
                stepR = 1;
              } else if (mr == MR) {
                src = a;
                paOff = ao + (ic + ir) * lda + pc;
                stepP = 1;
                stepR = lda;
              } else {
                src = w.packedA;
                packA(transA, a, ao, lda, ic + ir, mr, pc, kc, w.packedA);
                paOff = 0;
                stepP = MR;
                stepR = 1;
              }
              int cOff = co + (ic + ir) * ldc + jc + jr;
              kernel(kc, src, paOff, stepP, stepR, w.packedB, pbOff, w.tile);
              if (mr == MR && nr == NR) {
                mergeFullTile(w.tile, alpha, blockBeta, c, cOff, ldc);
              } else {
                mergeTile(w.tile, mr, nr, alpha, blockBeta, c, cOff, ldc);
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

  /** C[0:6, 0:NR] = β·C + α·tile (β = 0: C is not read). */
  private static void mergeFullTile(float[] tile, float alpha, float beta, float[] c, int cOff, int ldc) {
    for (int r = 0; r < MR; r++) {
      int row = cOff + r * ldc;
      for (int j = 0; j < NR; j += L) {
        FloatVector t = FloatVector.fromArray(S, tile, r * NR + j).mul(alpha);
        if (beta != 0f) {
          t = FloatVector.fromArray(S, c, row + j).mul(beta).add(t);
        }
        t.intoArray(c, row + j);
      }
    }
  }

  /** C[0:mr, 0:nr] = β·C + α·tile for a partial tile. */
  private static void mergeTile(float[] tile, int mr, int nr, float alpha, float beta, float[] c, int cOff, int ldc) {
    for (int r = 0; r < mr; r++) {
      int row = cOff + r * ldc;
      for (int j = 0; j < nr; j++) {
        float t = alpha * tile[r * NR + j];
        c[row + j] = beta == 0f ? t : beta * c[row + j] + t;
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

  /**
   * The MR × NR register tile: tile[r, 0:NR] = Σ_p A(r, p)·pb[p], with A(r, p) = pa[paOff + p·aStepP
   * + r·aStepR]: a packed panel (steps MR, 1), rows of a row-major A (steps 1, lda) or columns of a
   * transposed one (steps lda, 1), read in place.
   */
  private static void kernel(
      int kc, float[] pa, int paOff, int aStepP, int aStepR, float[] pb, int pbOff, float[] tile) {
    FloatVector c00 = FloatVector.zero(S);
    FloatVector c01 = FloatVector.zero(S);
    FloatVector c10 = FloatVector.zero(S);
    FloatVector c11 = FloatVector.zero(S);
    FloatVector c20 = FloatVector.zero(S);
    FloatVector c21 = FloatVector.zero(S);
    FloatVector c30 = FloatVector.zero(S);
    FloatVector c31 = FloatVector.zero(S);
    // Index arithmetic stays linear in the loop variable so C2 can hoist the bounds checks.
    int p = 0;
    for (; p < kc; p++) {
      int ia = paOff + p * aStepP;
      int ib = pbOff + p * NR;
      FloatVector b0 = FloatVector.fromArray(S, pb, ib);
      FloatVector b1 = FloatVector.fromArray(S, pb, ib + L);
      FloatVector a0 = FloatVector.broadcast(S, pa[ia]);
      c00 = a0.fma(b0, c00);
      c01 = a0.fma(b1, c01);
      FloatVector a1 = FloatVector.broadcast(S, pa[ia + aStepR]);
      c10 = a1.fma(b0, c10);
      c11 = a1.fma(b1, c11);
      FloatVector a2 = FloatVector.broadcast(S, pa[ia + 2 * aStepR]);
      c20 = a2.fma(b0, c20);
      c21 = a2.fma(b1, c21);
      FloatVector a3 = FloatVector.broadcast(S, pa[ia + 3 * aStepR]);
      c30 = a3.fma(b0, c30);
      c31 = a3.fma(b1, c31);
    }
    // The tile goes to a contiguous buffer with one plain store per register; scaling and
    // accumulating into C happen in mergeTile. A second store path makes C2 compile a slower loop.
    c00.intoArray(tile, 0 * NR);
    c01.intoArray(tile, 0 * NR + L);
    c10.intoArray(tile, 1 * NR);
    c11.intoArray(tile, 1 * NR + L);
    c20.intoArray(tile, 2 * NR);
    c21.intoArray(tile, 2 * NR + L);
    c30.intoArray(tile, 3 * NR);
    c31.intoArray(tile, 3 * NR + L);
  }





}
