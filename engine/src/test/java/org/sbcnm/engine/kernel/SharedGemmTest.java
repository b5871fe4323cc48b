package org.sbcnm.engine.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * A GEMM shared with an idle pool thread ({@link SimdGemm#gemm} with a pool to share with) gives
 * the same bits as the one-thread GEMM, for every operand layout, row and column sharing, depths
 * past one packed block, α ≠ 1 and β ∉ {0, 1}.
 */
class SharedGemmTest {
  /** m, n, k: rows shared (m ≥ n), columns shared (n > m, m ≤ 120), tails, K over 256. */
  private static final int[][] SHAPES = {
    {1024, 64, 128},
    {1024, 256, 64},
    {257, 33, 300},
    {256, 128, 1024},
    {64, 256, 1024},
    {61, 250, 517},
    {8, 300, 70},
    {120, 2100, 40},
    {67, 3, 9},
  };

  @Test
  void sharedProductsMatchTheOneThreadProductBitForBit() {
    WorkerPool pool = new WorkerPool(2);
    long helpedBefore = pool.sharedChunksHelped();
    SplittableRandom rnd = new SplittableRandom(17);
    try {
      for (int[] shape : SHAPES) {
        int m = shape[0];
        int n = shape[1];
        int k = shape[2];
        for (int layout = 0; layout < 4; layout++) {
          boolean transA = (layout & 1) != 0;
          boolean transB = (layout & 2) != 0;
          float[] a = random(rnd, m * k);
          float[] b = random(rnd, k * n);
          float[] c0 = random(rnd, m * n);
          int lda = transA ? m : k;
          int ldb = transB ? k : n;
          float[][] alphaBeta = {{1f, 0f}, {1f, 1f}, {0.5f, 0.75f}};
          for (float[] ab : alphaBeta) {
            float[] expected = c0.clone();
            SimdGemm.gemm(
                transA, transB, m, n, k, ab[0], a, 0, lda, b, 0, ldb, ab[1], expected, 0, n, null);
            for (int repeat = 0; repeat < 3; repeat++) {
              float[] actual = c0.clone();
              pool.run(
                  2,
                  outer -> {
                    if (outer == 0) {
                      SimdGemm.gemm(
                          transA, transB, m, n, k, ab[0], a, 0, lda, b, 0, ldb, ab[1], actual, 0, n,
                          pool);
                    }
                  });
              String what =
                  m
                      + "x"
                      + n
                      + "x"
                      + k
                      + " transA "
                      + transA
                      + " transB "
                      + transB
                      + " alpha "
                      + ab[0]
                      + " beta "
                      + ab[1];
              assertArrayEquals(expected, actual, what);
            }
          }
        }
      }
      // The idle thread must have taken part, or the test proved nothing about sharing.
      assertTrue(pool.sharedChunksHelped() > helpedBefore, "no block was ever helped");
    } finally {
      pool.shutdown();
    }
  }

  @Test
  void sharedBlocksCoverTheRowsAndColumnsInWholePanels() {
    for (int m = 1; m <= 2048; m++) {
      int rows = SimdGemm.sharedRows(m);
      assertTrue(rows % 8 == 0 && rows >= 32 && rows <= 120, "rows " + rows + " for m " + m);
    }
    for (int n = 1; n <= 40_000; n += 7) {
      int cols = SimdGemm.sharedColumns(n);
      assertTrue(cols % SimdGemm.NR == 0 && cols <= 2048, "cols " + cols + " for n " + n);
      assertTrue(
          (n + cols - 1) / cols <= Math.max(8, (n + 2047) / 2048), "too many blocks for n " + n);
    }
  }

  private static float[] random(SplittableRandom rnd, int size) {
    float[] x = new float[size];
    for (int i = 0; i < size; i++) {
      x[i] = (float) (rnd.nextDouble() * 2 - 1);
    }
    return x;
  }
}
