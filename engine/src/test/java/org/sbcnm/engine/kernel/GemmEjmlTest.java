package org.sbcnm.engine.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.SplittableRandom;
import org.ejml.data.FMatrixRMaj;
import org.ejml.dense.row.CommonOps_FDRM;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.sbcnm.engine.tensor.Tensor;
import org.sbcnm.engine.testing.RandomTensors;

/** GEMM through the public facade (chosen kernels, 1 and 2 threads) against EJML. */
class GemmEjmlTest {
  private static final int[][] SHAPES = {
    {1, 1, 1},
    {1, 7, 3},
    {2, 2, 2},
    {3, 5, 7},
    {17, 19, 23},
    {37, 41, 43},
    {97, 89, 83},
    {256, 64, 128},
    {1024, 64, 33},
    {131, 7, 509},
    // Depth past one KC block (256) and row blocks that end part-way through an eight-row panel.
    {70, 300, 45},
    {253, 517, 19}
  };

  @AfterAll
  static void restore() {
    Kernels.setThreads(Runtime.getRuntime().availableProcessors());
  }

  @Test
  void matchesEjmlInAllThreeForms() {
    SplittableRandom rng = new SplittableRandom(11);
    for (int threads : new int[] {1, 2}) {
      Kernels.setThreads(threads);
      for (int[] s : SHAPES) {
        int m = s[0];
        int k = s[1];
        int n = s[2];
        FMatrixRMaj a = new FMatrixRMaj(m, k, true, RandomTensors.floats(m * k, rng));
        FMatrixRMaj b = new FMatrixRMaj(k, n, true, RandomTensors.floats(k * n, rng));
        FMatrixRMaj bt = new FMatrixRMaj(n, k);
        CommonOps_FDRM.transpose(b, bt);
        FMatrixRMaj at = new FMatrixRMaj(k, m);
        CommonOps_FDRM.transpose(a, at);
        FMatrixRMaj expected = new FMatrixRMaj(m, n);
        CommonOps_FDRM.mult(a, b, expected);
        FMatrixRMaj viaTransB = new FMatrixRMaj(m, n);
        CommonOps_FDRM.multTransB(a, bt, viaTransB);
        FMatrixRMaj viaTransA = new FMatrixRMaj(m, n);
        CommonOps_FDRM.multTransA(at, b, viaTransA);
        String what = m + "x" + k + "x" + n + " threads=" + threads;
        check(expected, ours(false, false, a, b, m, n), k, what + " A·B");
        check(viaTransB, ours(false, true, a, bt, m, n), k, what + " A·Bᵀ");
        check(viaTransA, ours(true, false, at, b, m, n), k, what + " Aᵀ·B");
      }
    }
  }

  @Test
  void resultDoesNotDependOnTheThreadCount() {
    // Rows split (tall C) and columns split (wide C, the weight gradients), K beyond one depth
    // block so C is accumulated block by block: one and two threads give the same bits.
    SplittableRandom rng = new SplittableRandom(13);
    int[][] shapes = {{300, 50, 300}, {64, 200, 1024}, {30, 517, 700}};
    for (int[] s : shapes) {
      int m = s[0];
      int n = s[1];
      int k = s[2];
      for (boolean ta : new boolean[] {false, true}) {
        for (boolean tb : new boolean[] {false, true}) {
          float[] a = RandomTensors.floats(m * k, rng);
          float[] b = RandomTensors.floats(k * n, rng);
          float[] c0 = RandomTensors.floats(m * n, rng);
          float[][] results = new float[2][];
          for (int threads = 1; threads <= 2; threads++) {
            Kernels.setThreads(threads);
            float[] c = c0.clone();
            Kernels.gemm(ta, tb, m, n, k, 0.75f, a, 0, ta ? m : k, b, 0, tb ? k : n, 1f, c, 0, n);
            results[threads - 1] = c;
          }
          assertArrayEquals(
              results[0], results[1], 0f, m + "x" + k + "x" + n + " ta=" + ta + " tb=" + tb);
        }
      }
    }
  }

  @Test
  void accumulatesWithBeta() {
    SplittableRandom rng = new SplittableRandom(12);
    Tensor a = RandomTensors.uniform(org.sbcnm.engine.tensor.DType.FLOAT32, 50, 30, rng);
    Tensor b = RandomTensors.uniform(org.sbcnm.engine.tensor.DType.FLOAT32, 30, 20, rng);
    Tensor c = RandomTensors.uniform(org.sbcnm.engine.tensor.DType.FLOAT32, 50, 20, rng);
    Tensor expected = c.copy();
    FMatrixRMaj ab = new FMatrixRMaj(50, 20);
    CommonOps_FDRM.mult(
        new FMatrixRMaj(50, 30, true, a.floats()), new FMatrixRMaj(30, 20, true, b.floats()), ab);
    for (int i = 0; i < expected.size(); i++) {
      expected.setFlat(i, 0.5 * expected.getFlat(i) + 2.0 * ab.data[i]);
    }
    MatrixOps.gemm(false, false, 2.0, a, b, 0.5, c);
    for (int i = 0; i < c.size(); i++) {
      assertEquals(expected.getFlat(i), c.getFlat(i), 1e-4, "element " + i);
    }
  }

  @Test
  void knownAnswer() {
    Tensor a = Tensor.of(org.sbcnm.engine.tensor.DType.FLOAT32, new double[][] {{1, 2}, {3, 4}});
    Tensor b = Tensor.of(org.sbcnm.engine.tensor.DType.FLOAT32, new double[][] {{5, 6}, {7, 8}});
    Tensor c = Tensor.zeros(2, 2);
    MatrixOps.gemm(false, false, 1, a, b, 0, c);
    assertEquals(19, c.get(0, 0));
    assertEquals(22, c.get(0, 1));
    assertEquals(43, c.get(1, 0));
    assertEquals(50, c.get(1, 1));
    MatrixOps.gemm(true, true, 1, a, b, 0, c); // Aᵀ·Bᵀ = (B·A)ᵀ
    assertEquals(23, c.get(0, 0));
    assertEquals(31, c.get(0, 1));
    assertEquals(34, c.get(1, 0));
    assertEquals(46, c.get(1, 1));
  }

  @Test
  void shapeErrorsNameOpAndShapes() {
    Tensor a = Tensor.zeros(32, 64);
    Tensor b = Tensor.zeros(128, 16);
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> MatrixOps.gemm(false, false, 1, a, b, 0, Tensor.zeros(32, 16)));
    assertEquals("matmul: [32, 64] x [128, 16]", e.getMessage());
  }

  private static FMatrixRMaj ours(
      boolean ta, boolean tb, FMatrixRMaj a, FMatrixRMaj b, int m, int n) {
    float[] c = new float[m * n];
    java.util.Arrays.fill(c, Float.NaN); // β = 0 must not read C
    int k = ta ? a.numRows : a.numCols;
    Kernels.gemm(ta, tb, m, n, k, 1f, a.data, 0, a.numCols, b.data, 0, b.numCols, 0f, c, 0, n);
    return new FMatrixRMaj(m, n, true, c);
  }

  private static void check(FMatrixRMaj expected, FMatrixRMaj actual, int k, String what) {
    for (int i = 0; i < expected.data.length; i++) {
      assertEquals(expected.data[i], actual.data[i], 2e-6f * k + 1e-5f, what + " element " + i);
    }
  }
}
