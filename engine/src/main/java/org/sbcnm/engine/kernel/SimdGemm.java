package org.sbcnm.engine.kernel;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Blocked single-thread SGEMM on the Vector API: {@code C = β·C + α·op(A)·op(B)}.
 *
 * <p>GotoBLAS/BLIS loop nest: column blocks of {@code NC}, depth blocks of {@code KC} (op(B) packed
 * into {@code KC × NR} micro-panels that stay in L1), row blocks of {@code MC} (op(A) packed into
 * {@code MR × KC} micro-panels, each of its MR rows contiguous), then a register-blocked {@code MR
 * × NR} micro-kernel, {@code MR = 4} rows by {@code NR = 2} vectors. A transposed op(A) (the weight
 * gradients Xᵀ·dY and the score gradient dSᵀ·U) is packed p-major instead, eight rows per panel, so
 * each step of p copies one vector from a row of A rather than gathering four strided values; its
 * own kernel reads those panels (measured over the step's GEMMs: the Aᵀ·B shapes went from 65–80 to
 * 72–83 GFLOP/s, one thread).
 *
 * <p>Why 4 × 2 and not the textbook 6 × 2: C2 schedules every broadcast of A to the top of the loop
 * body, so a kernel needs accumulators + 2 B vectors + MR broadcast registers; 6 × 2 needs 20 of
 * AVX2's 16 and spills an accumulator through the stack (measured: half the speed), 4 × 2 needs 14.
 *
 * <p>The 4 × 2 step is 8 FMAs, 4 cycles on two FMA pipes, so on a 6-wide core every other
 * instruction in the loop competes with them. Each micro-panel is therefore its own array, indexed
 * from 0: the kernel's A reads are {@code pa[p + r·KC]} and its B reads {@code pb[16p]}, constant
 * strides whose bounds checks C2 hoists, with no per-call offsets to add or keep in registers, and
 * C's row offsets are only computed after the loop. That loop is 18 instructions; with offsets into
 * shared buffers it was 24–25, with spills, and ran at 57 or 73 GFLOP/s from one JVM run to the
 * next (measured over whole training-step GEMMs, one thread: 80 now). A row-major op(A) is packed
 * by one array copy per row. α is applied while packing B. The kernel works on C itself for β ∈ {0,
 * 1}; other β go through a small tile buffer merged into C (a kernel that also scales made C2 stop
 * inlining the Vector API calls, whose fallback allocates). Buffers are per thread and reused, so
 * steady-state calls allocate nothing.
 *
 * <p>A GEMM called inside a parallel region (one tower of a training step per thread) is given the
 * pool to share with ({@link #gemm}'s {@code shareWith}): one operand is packed once and blocks of
 * the other are shared out, so that a thread that has finished its own part of the region takes
 * blocks too. Each element of C is still computed by one thread in the one order, so the result
 * does not depend on who helped.
 */
final class SimdGemm {
  private static final VectorSpecies<Float> S = SimdKernels.Species.F;
  private static final int L = SimdKernels.Species.L;
  static final int MR = 4;
  static final int NR = 2 * L;

  /** Rows per panel of a transposed op(A): one 256-bit vector of A's row per step of p. */
  private static final int TR = 8;

  private static final int KC = 256;
  private static final int MC = 120;
  private static final int NC = 2048;

  private static final class Workspace {
    final float[][] packedA = new float[MC / MR][MR * KC];
    final float[][] packedAT = new float[MC / TR][TR * KC];
    final float[][] packedB = new float[NC / NR][KC * NR];
    final float[] tile = new float[MR * NR];
    final SharedBlocks sharedBlocks = new SharedBlocks();

    /** op(A) packed for all of K for a shared product: depth blocks one after another. */
    private float[][] wholeA = new float[0][];

    /** op(B) packed for all of K for a shared product: depth blocks one after another. */
    private float[][] wholeB = new float[0][];

    float[][] wholeA(int panels) {
      // Big enough for a panel of either packing: MR rows of KC, or TR rows p-major.
      wholeA = grown(wholeA, panels, TR * KC);
      return wholeA;
    }

    float[][] wholeB(int panels) {
      wholeB = grown(wholeB, panels, KC * NR);
      return wholeB;
    }

    /** {@code panels} with at least {@code count} arrays of {@code size} floats, old ones kept. */
    private static float[][] grown(float[][] panels, int count, int size) {
      if (panels.length >= count) {
        return panels;
      }
      float[][] grown = Arrays.copyOf(panels, count);
      for (int q = panels.length; q < count; q++) {
        grown[q] = new float[size];
      }
      return grown;
    }
  }

  private static final ThreadLocal<Workspace> WORKSPACE = ThreadLocal.withInitial(Workspace::new);

  private SimdGemm() {}

  /**
   * C = β·C + α·op(A)·op(B) (see {@link FloatKernels#gemm}). With {@code shareWith}, the pool whose
   * parallel region this call runs inside (one tower of a training step), one operand is packed
   * once for all of K and blocks of C that need the other are shared out to any pool thread with
   * nothing else to do ({@link WorkerPool#runShared}), each taker packing its own part of the other
   * operand. Blocks of rows share op(B); a C wider than tall with at most {@link #MC} rows (the
   * weight gradient Xᵀ·dY of a narrow input) shares op(A) and is split by columns. Every element of
   * C is computed in the same order either way, so the result is the same bit for bit whichever
   * threads take part.
   */
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
      int ldc,
      WorkerPool shareWith) {
    if (m == 0 || n == 0) {
      return;
    }
    if (k == 0 || alpha == 0f) {
      scaleC(m, n, beta, c, co, ldc);
      return;
    }
    Workspace w = WORKSPACE.get();
    if (shareWith != null) {
      boolean byColumns = n > m && m <= MC;
      int block = byColumns ? sharedColumns(n) : sharedRows(m);
      if ((byColumns ? n : m) >= 2 * block && (byColumns || n <= NC)) {
        SharedBlocks task = w.sharedBlocks;
        task.product.set(transA, transB, m, n, k, alpha, a, ao, lda, b, bo, ldb, beta, c, co, ldc);
        task.run(shareWith, w, byColumns, block);
        return;
      }
    }
    for (int jc = 0; jc < n; jc += NC) {
      int nc = Math.min(NC, n - jc);
      for (int pc = 0; pc < k; pc += KC) {
        int kc = Math.min(KC, k - pc);
        float blockBeta = pc == 0 ? beta : 1f;
        packB(transB, b, bo, ldb, pc, kc, jc, nc, alpha, w.packedB, 0);
        for (int ic = 0; ic < m; ic += MC) {
          multiplyBlock(
              w,
              transA,
              a,
              ao,
              lda,
              ic,
              Math.min(MC, m - ic),
              pc,
              kc,
              jc,
              nc,
              w.packedB,
              0,
              blockBeta,
              c,
              co,
              ldc);
        }
      }
    }
  }

  /** Columns of C per shared block: about an eighth of them, whole micro-panels, at most NC. */
  static int sharedColumns(int n) {
    int eighth = ((n + 7) / 8 + NR - 1) / NR * NR;
    return Math.min(NC, eighth);
  }

  /**
   * Rows of C per shared block: about a quarter of them, a multiple of the transposed panel height,
   * at least 32 (each block reads all of packed op(B) again) and at most {@link #MC}.
   */
  static int sharedRows(int m) {
    int quarter = ((m + 3) / 4 + TR - 1) / TR * TR;
    return Math.max(32, Math.min(MC, quarter));
  }

  /**
   * One block of a shared product, rows or columns of C; one reused instance per calling thread.
   * The block is computed with the workspace of whichever thread takes it.
   */
  private static final class SharedBlocks implements Kernels.ChunkBody {
    final GemmCall product = new GemmCall();
    boolean byColumns;
    int block;

    /** The operand packed once: op(B) for blocks of rows, op(A) for blocks of columns. */
    float[][] packed;

    /** Micro-panels of {@link #packed} per depth block. */
    int panels;

    /** Packs the shared operand of {@link #product} for all of K, then shares out its blocks. */
    void run(WorkerPool pool, Workspace w, boolean byColumns, int block) {
      GemmCall p = product;
      int depthBlocks = (p.k + KC - 1) / KC;
      panels =
          byColumns ? (p.transA ? (p.m + TR - 1) / TR : (p.m + MR - 1) / MR) : (p.n + NR - 1) / NR;
      packed = byColumns ? w.wholeA(depthBlocks * panels) : w.wholeB(depthBlocks * panels);
      for (int d = 0; d < depthBlocks; d++) {
        int pc = d * KC;
        int kc = Math.min(KC, p.k - pc);
        if (byColumns) {
          packOpA(p.transA, p.a, p.ao, p.lda, 0, p.m, pc, kc, packed, d * panels);
        } else {
          packB(p.transB, p.b, p.bo, p.ldb, pc, kc, 0, p.n, p.alpha, packed, d * panels);
        }
      }
      this.byColumns = byColumns;
      this.block = block;
      try {
        pool.runShared(((byColumns ? p.n : p.m) + block - 1) / block, this);
      } finally {
        packed = null;
        p.clear();
      }
    }

    @Override
    public void runChunk(int chunk) {
      GemmCall p = product;
      Workspace w = WORKSPACE.get();
      int from = chunk * block;
      for (int pc = 0; pc < p.k; pc += KC) {
        int kc = Math.min(KC, p.k - pc);
        int first = (pc / KC) * panels;
        float blockBeta = pc == 0 ? p.beta : 1f;
        if (byColumns) {
          int nc = Math.min(block, p.n - from);
          packB(p.transB, p.b, p.bo, p.ldb, pc, kc, from, nc, p.alpha, w.packedB, 0);
          multiplyPacked(
              w, p.transA, packed, first, 0, p.m, kc, from, nc, w.packedB, 0, blockBeta, p.c, p.co,
              p.ldc);
        } else {
          multiplyBlock(
              w,
              p.transA,
              p.a,
              p.ao,
              p.lda,
              from,
              Math.min(block, p.m - from),
              pc,
              kc,
              0,
              p.n,
              packed,
              first,
              blockBeta,
              p.c,
              p.co,
              p.ldc);
        }
      }
    }
  }

  /**
   * C[ic:ic+mc, jc:jc+nc] (β)= op(A)[ic:ic+mc, pc:pc+kc]·op(B) block, op(B)'s micro-panels taken
   * from {@code packedB} starting at {@code firstPanel}; packs op(A)'s rows into {@code w}.
   */
  private static void multiplyBlock(
      Workspace w,
      boolean transA,
      float[] a,
      int ao,
      int lda,
      int ic,
      int mc,
      int pc,
      int kc,
      int jc,
      int nc,
      float[][] packedB,
      int firstPanel,
      float blockBeta,
      float[] c,
      int co,
      int ldc) {
    packOpA(transA, a, ao, lda, ic, mc, pc, kc, transA ? w.packedAT : w.packedA, 0);
    multiplyPacked(
        w,
        transA,
        transA ? w.packedAT : w.packedA,
        0,
        ic,
        mc,
        kc,
        jc,
        nc,
        packedB,
        firstPanel,
        blockBeta,
        c,
        co,
        ldc);
  }

  /**
   * C[ic:ic+mc, jc:jc+nc] (β)= the packed op(A) rows times the packed op(B) columns of one depth
   * block: A's micro-panels from {@code packedA} at {@code firstA}, B's from {@code packedB} at
   * {@code firstB}.
   */
  private static void multiplyPacked(
      Workspace w,
      boolean transA,
      float[][] packedA,
      int firstA,
      int ic,
      int mc,
      int kc,
      int jc,
      int nc,
      float[][] packedB,
      int firstB,
      float blockBeta,
      float[] c,
      int co,
      int ldc) {
    for (int jr = 0; jr < nc; jr += NR) {
      int nr = Math.min(NR, nc - jr);
      float[] pb = packedB[firstB + jr / NR];
      for (int ir = 0; ir < mc; ir += MR) {
        int mr = Math.min(MR, mc - ir);
        int cOff = co + (ic + ir) * ldc + jc + jr;
        // The kernel works on C itself for β = 0 (overwrite) and β = 1 (accumulate); any
        // other β, and partial tiles, go through the tile buffer and a merge.
        boolean direct = mr == MR && nr == NR && (blockBeta == 0f || blockBeta == 1f);
        boolean accumulate = direct && blockBeta == 1f;
        float[] out = direct ? c : w.tile;
        int outOff = direct ? cOff : 0;
        int ldo = direct ? ldc : NR;
        if (transA) {
          kernelT(kc, packedA[firstA + ir / TR], ir % TR, pb, accumulate, out, outOff, ldo);
        } else {
          kernel(kc, packedA[firstA + ir / MR], pb, accumulate, out, outOff, ldo);
        }
        if (!direct) {
          mergeTile(w.tile, mr, nr, blockBeta, c, cOff, ldc);
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

  /** C[0:mr, 0:nr] = β·C + tile: partial tiles, and full ones with β ∉ {0, 1} (rare). */
  private static void mergeTile(
      float[] tile, int mr, int nr, float beta, float[] c, int cOff, int ldc) {
    for (int r = 0; r < mr; r++) {
      int row = cOff + r * ldc;
      for (int j = 0; j < nr; j++) {
        float t = tile[r * NR + j];
        c[row + j] = beta == 0f ? t : beta * c[row + j] + t;
      }
    }
  }

  /** pb[0:len] *= α; len is a multiple of NR. */
  private static void scalePacked(float alpha, float[] pb, int len) {
    for (int i = 0; i < len; i += L) {
      FloatVector.fromArray(S, pb, i).mul(alpha).intoArray(pb, i);
    }
  }

  /** Packs op(A)[ic:ic+mc, pc:pc+kc] by {@link #packATransposed} or {@link #packA}. */
  private static void packOpA(
      boolean transA,
      float[] a,
      int ao,
      int lda,
      int ic,
      int mc,
      int pc,
      int kc,
      float[][] panels,
      int first) {
    if (transA) {
      packATransposed(a, ao, lda, ic, mc, pc, kc, panels, first);
    } else {
      packA(a, ao, lda, ic, mc, pc, kc, panels, first);
    }
  }

  /**
   * Packs A[ic:ic+mc, pc:pc+kc] (row-major, not transposed) into MR-row micro-panels, one array
   * each, row r of a panel at pa[r·KC + p], one array copy per row; rows past the matrix are
   * zero-filled.
   */
  private static void packA(
      float[] a, int ao, int lda, int ic, int mc, int pc, int kc, float[][] panels, int first) {
    for (int ir = 0; ir < mc; ir += MR) {
      float[] pa = panels[first + ir / MR];
      int mr = Math.min(MR, mc - ir);
      for (int r = 0; r < mr; r++) {
        System.arraycopy(a, ao + (ic + ir + r) * lda + pc, pa, r * KC, kc);
      }
      for (int r = mr; r < MR; r++) {
        Arrays.fill(pa, r * KC, r * KC + kc, 0f);
      }
    }
  }

  /**
   * Packs op(A)[ic:ic+mc, pc:pc+kc] for op(A) = Aᵀ: column p of op(A) is row p of A, so panels of
   * TR = 8 op(A) rows are packed p-major, pa[8p + r], each p one vector copied from A's row (two
   * micro-panels share a panel array, at offsets 0 and 4). Rows past the matrix are zero-filled.
   */
  private static void packATransposed(
      float[] a, int ao, int lda, int ic, int mc, int pc, int kc, float[][] panels, int first) {
    int full = L == TR ? mc / TR : 0;
    for (int p = 0; p < kc; p++) {
      int src = ao + (pc + p) * lda + ic;
      int dst = TR * p;
      for (int q = 0; q < full; q++) {
        FloatVector.fromArray(S, a, src + TR * q).intoArray(panels[first + q], dst);
      }
      for (int q = full; q * TR < mc; q++) {
        float[] pa = panels[first + q];
        int rows = Math.min(TR, mc - TR * q);
        for (int r = 0; r < TR; r++) {
          pa[dst + r] = r < rows ? a[src + TR * q + r] : 0f;
        }
      }
    }
  }

  /**
   * Packs α·op(B)[pc:pc+kc, jc:jc+nc] into NR-column micro-panels, p-major, zero-padded. α goes
   * into the packed panels once, so tiles of C = α·A·B can be stored directly.
   */
  private static void packB(
      boolean transB,
      float[] b,
      int bo,
      int ldb,
      int pc,
      int kc,
      int jc,
      int nc,
      float alpha,
      float[][] panels,
      int firstPanel) {
    for (int jr = 0; jr < nc; jr += NR) {
      float[] pb = panels[firstPanel + jr / NR];
      int nr = Math.min(NR, nc - jr);
      if (transB) {
        for (int j = 0; j < NR; j++) {
          int dst = j;
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
      } else if (nr == NR) {
        // Two vector moves per row: a call to arraycopy for 16 floats costs more than the copy.
        int src = bo + pc * ldb + jc + jr;
        for (int p = 0; p < kc; p++, src += ldb) {
          int dst = p * NR;
          FloatVector.fromArray(S, b, src).intoArray(pb, dst);
          FloatVector.fromArray(S, b, src + L).intoArray(pb, dst + L);
        }
      } else {
        for (int p = 0; p < kc; p++) {
          int src = bo + (pc + p) * ldb + jc + jr;
          int dst = p * NR;
          System.arraycopy(b, src, pb, dst, nr);
          for (int j = nr; j < NR; j++) {
            pb[dst + j] = 0f;
          }
        }
      }
      if (alpha != 1f) {
        scalePacked(alpha, pb, kc * NR);
      }
    }
  }

  /**
   * The MR × NR register tile: out[r, 0:NR] (+)= Σ_p pa[r·KC + p]·pb[p·NR, +NR].
   *
   * <p>Every index is the loop variable times a constant plus a constant, so C2 proves the bounds
   * once before the loop and the loop body is the loads, the FMAs and the counter (see the class
   * comment). C's row offsets are computed after the loop so they do not hold registers through it.
   */
  private static void kernel(
      int kc, float[] pa, float[] pb, boolean accumulate, float[] out, int outOff, int ldo) {
    FloatVector c00;
    FloatVector c01;
    FloatVector c10;
    FloatVector c11;
    FloatVector c20;
    FloatVector c21;
    FloatVector c30;
    FloatVector c31;
    if (accumulate) {
      c00 = FloatVector.fromArray(S, out, outOff);
      c01 = FloatVector.fromArray(S, out, outOff + L);
      c10 = FloatVector.fromArray(S, out, outOff + ldo);
      c11 = FloatVector.fromArray(S, out, outOff + ldo + L);
      c20 = FloatVector.fromArray(S, out, outOff + 2 * ldo);
      c21 = FloatVector.fromArray(S, out, outOff + 2 * ldo + L);
      c30 = FloatVector.fromArray(S, out, outOff + 3 * ldo);
      c31 = FloatVector.fromArray(S, out, outOff + 3 * ldo + L);
    } else {
      c00 = FloatVector.zero(S);
      c01 = FloatVector.zero(S);
      c10 = FloatVector.zero(S);
      c11 = FloatVector.zero(S);
      c20 = FloatVector.zero(S);
      c21 = FloatVector.zero(S);
      c30 = FloatVector.zero(S);
      c31 = FloatVector.zero(S);
    }
    for (int p = 0; p < kc; p++) {
      FloatVector b0 = FloatVector.fromArray(S, pb, p * NR);
      FloatVector b1 = FloatVector.fromArray(S, pb, p * NR + L);
      FloatVector a0 = FloatVector.broadcast(S, pa[p]);
      c00 = a0.fma(b0, c00);
      c01 = a0.fma(b1, c01);
      FloatVector a1 = FloatVector.broadcast(S, pa[p + KC]);
      c10 = a1.fma(b0, c10);
      c11 = a1.fma(b1, c11);
      FloatVector a2 = FloatVector.broadcast(S, pa[p + 2 * KC]);
      c20 = a2.fma(b0, c20);
      c21 = a2.fma(b1, c21);
      FloatVector a3 = FloatVector.broadcast(S, pa[p + 3 * KC]);
      c30 = a3.fma(b0, c30);
      c31 = a3.fma(b1, c31);
    }
    // Plain stores only: any other β is merged in mergeTile, since a kernel that also scales
    // made C2 stop inlining the Vector API calls (their fallback allocates). The accumulators are
    // stored as −0 + c: a loop-carried vector is never a call's receiver (see SimdKernels), and
    // −0 + x = x for every x.
    FloatVector z = FloatVector.broadcast(S, -0f);
    int o1 = outOff + ldo;
    int o2 = o1 + ldo;
    int o3 = o2 + ldo;
    z.add(c00).intoArray(out, outOff);
    z.add(c01).intoArray(out, outOff + L);
    z.add(c10).intoArray(out, o1);
    z.add(c11).intoArray(out, o1 + L);
    z.add(c20).intoArray(out, o2);
    z.add(c21).intoArray(out, o2 + L);
    z.add(c30).intoArray(out, o3);
    z.add(c31).intoArray(out, o3 + L);
  }

  /**
   * {@link #kernel} over a p-major panel of {@link #packATransposed}, rows aOff to aOff + 3. A copy
   * rather than one kernel with the strides as parameters: with a variable stride C2 keeps the
   * bounds checks in the loop, and that version ran the step's GEMMs at 68.7 GFLOP/s against 82.5
   * (same-JVM A/B, one thread).
   */
  private static void kernelT(
      int kc,
      float[] pa,
      int aOff,
      float[] pb,
      boolean accumulate,
      float[] out,
      int outOff,
      int ldo) {
    FloatVector c00;
    FloatVector c01;
    FloatVector c10;
    FloatVector c11;
    FloatVector c20;
    FloatVector c21;
    FloatVector c30;
    FloatVector c31;
    if (accumulate) {
      c00 = FloatVector.fromArray(S, out, outOff);
      c01 = FloatVector.fromArray(S, out, outOff + L);
      c10 = FloatVector.fromArray(S, out, outOff + ldo);
      c11 = FloatVector.fromArray(S, out, outOff + ldo + L);
      c20 = FloatVector.fromArray(S, out, outOff + 2 * ldo);
      c21 = FloatVector.fromArray(S, out, outOff + 2 * ldo + L);
      c30 = FloatVector.fromArray(S, out, outOff + 3 * ldo);
      c31 = FloatVector.fromArray(S, out, outOff + 3 * ldo + L);
    } else {
      c00 = FloatVector.zero(S);
      c01 = FloatVector.zero(S);
      c10 = FloatVector.zero(S);
      c11 = FloatVector.zero(S);
      c20 = FloatVector.zero(S);
      c21 = FloatVector.zero(S);
      c30 = FloatVector.zero(S);
      c31 = FloatVector.zero(S);
    }
    for (int p = 0; p < kc; p++) {
      FloatVector b0 = FloatVector.fromArray(S, pb, p * NR);
      FloatVector b1 = FloatVector.fromArray(S, pb, p * NR + L);
      FloatVector a0 = FloatVector.broadcast(S, pa[aOff + TR * p]);
      c00 = a0.fma(b0, c00);
      c01 = a0.fma(b1, c01);
      FloatVector a1 = FloatVector.broadcast(S, pa[aOff + TR * p + 1]);
      c10 = a1.fma(b0, c10);
      c11 = a1.fma(b1, c11);
      FloatVector a2 = FloatVector.broadcast(S, pa[aOff + TR * p + 2]);
      c20 = a2.fma(b0, c20);
      c21 = a2.fma(b1, c21);
      FloatVector a3 = FloatVector.broadcast(S, pa[aOff + TR * p + 3]);
      c30 = a3.fma(b0, c30);
      c31 = a3.fma(b1, c31);
    }
    // Plain stores only: any other β is merged in mergeTile, since a kernel that also scales
    // made C2 stop inlining the Vector API calls (their fallback allocates). The accumulators are
    // stored as −0 + c: a loop-carried vector is never a call's receiver (see SimdKernels), and
    // −0 + x = x for every x.
    FloatVector z = FloatVector.broadcast(S, -0f);
    int o1 = outOff + ldo;
    int o2 = o1 + ldo;
    int o3 = o2 + ldo;
    z.add(c00).intoArray(out, outOff);
    z.add(c01).intoArray(out, outOff + L);
    z.add(c10).intoArray(out, o1);
    z.add(c11).intoArray(out, o1 + L);
    z.add(c20).intoArray(out, o2);
    z.add(c21).intoArray(out, o2 + L);
    z.add(c30).intoArray(out, o3);
    z.add(c31).intoArray(out, o3 + L);
  }
}
