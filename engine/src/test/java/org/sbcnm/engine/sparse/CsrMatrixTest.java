package org.sbcnm.engine.sparse;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.sbcnm.engine.tensor.DType;
import org.sbcnm.engine.tensor.Tensor;
import org.sbcnm.engine.testing.RandomTensors;

class CsrMatrixTest {
  @Test
  void buildsFromCooSummingDuplicates() {
    CsrMatrix s =
        CsrMatrix.fromCoo(
            3,
            4,
            new int[] {2, 0, 2, 0, 2},
            new int[] {1, 3, 1, 0, 0},
            new double[] {1, 2, 3, 4, 5});
    assertEquals(4, s.nnz());
    assertArrayEquals(new double[][] {{4, 0, 0, 2}, {0, 0, 0, 0}, {5, 4, 0, 0}}, s.toDense());
    assertEquals(4.0, s.get(2, 1));
    assertEquals(0.0, s.get(1, 1));
    assertArrayEquals(
        new double[][] {{4, 0, 5}, {0, 0, 4}, {0, 0, 0}, {2, 0, 0}}, s.transpose().toDense());
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> CsrMatrix.fromCoo(2, 2, new int[] {0}, new int[] {2}, new double[] {1}));
    assertEquals("csr: entry 0 at (0, 2) outside [2, 2]", e.getMessage());
  }

  @Test
  void symmetricNormalisation() {
    // Path 0 - 1 with weight 3: A + I = [[1, 3], [3, 1]], degrees 4 and 4.
    CsrMatrix s =
        CsrMatrix.fromCoo(3, 3, new int[] {0, 1}, new int[] {1, 0}, new double[] {3, 3})
            .symmetricNormalizedWithSelfLoops();
    assertArrayEquals(new double[][] {{0.25, 0.75, 0}, {0.75, 0.25, 0}, {0, 0, 1}}, s.toDense());
  }

  @Test
  void productsMatchDense() {
    SplittableRandom rng = new SplittableRandom(9);
    int n = 37;
    int m = 23;
    int[] r = new int[200];
    int[] c = new int[200];
    double[] v = new double[200];
    for (int k = 0; k < 200; k++) {
      r[k] = rng.nextInt(n);
      c[k] = rng.nextInt(m);
      v[k] = rng.nextGaussian();
    }
    CsrMatrix s = CsrMatrix.fromCoo(n, m, r, c, v);
    double[][] dense = s.toDense();
    for (DType type : DType.values()) {
      Tensor x = RandomTensors.normal(type, m, 19, rng);
      Tensor y = Tensor.zeros(type, n, 19);
      s.multiply(x, y, false);
      Tensor g = RandomTensors.normal(type, n, 19, rng);
      Tensor back = Tensor.zeros(type, m, 19).fill(1);
      s.transposeMultiplyAdd(g, back);
      double tol = type == DType.FLOAT32 ? 1e-4 : 1e-12;
      for (int i = 0; i < n; i++) {
        for (int j = 0; j < 19; j++) {
          double e = 0;
          for (int k = 0; k < m; k++) {
            e += dense[i][k] * x.get(k, j);
          }
          assertEquals(e, y.get(i, j), tol);
        }
      }
      for (int k = 0; k < m; k++) {
        for (int j = 0; j < 19; j++) {
          double e = 1;
          for (int i = 0; i < n; i++) {
            e += dense[i][k] * g.get(i, j);
          }
          assertEquals(e, back.get(k, j), tol);
        }
      }
    }
  }
}
