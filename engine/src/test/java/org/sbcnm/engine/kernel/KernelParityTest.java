package org.sbcnm.engine.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.sbcnm.engine.testing.RandomTensors;
import org.sbcnm.engine.testing.TailSizes;

/** Every SIMD kernel against its scalar twin over sizes that hit each loop tail. */
class KernelParityTest {
  private static FloatKernels simd;
  private static final FloatKernels SCALAR = ScalarKernels.INSTANCE;

  @BeforeAll
  static void load() {
    simd = KernelProvider.simdOrNull();
  }

  private static int[] sizes() {
    assumeTrue(simd != null, "Vector API absent: run with --add-modules jdk.incubator.vector");
    return TailSizes.forLanes(simd.lanes());
  }

  /** Float sums reorder under SIMD: allow error growing with length. */
  private static void assertSum(float expected, float actual, int n, float magnitude, String what) {
    float tol = 1e-6f * n * Math.max(1f, magnitude);
    assertEquals(expected, actual, tol, what + " n=" + n);
  }

  @Test
  void reductions() {
    SplittableRandom rng = new SplittableRandom(1);
    for (int n : sizes()) {
      int off = 3;
      float[] a = RandomTensors.floats(n + off, rng);
      float[] b = RandomTensors.floats(n + off, rng);
      assertSum(SCALAR.dot(a, off, b, off, n), simd.dot(a, off, b, off, n), n, 1, "dot");
      assertSum(SCALAR.sum(a, off, n), simd.sum(a, off, n), n, 1, "sum");
      assertSum(SCALAR.sumSquares(a, off, n), simd.sumSquares(a, off, n), n, 1, "sumSquares");
      assertEquals(SCALAR.max(a, off, n), simd.max(a, off, n), "max n=" + n);
    }
  }

  @Test
  void elementwise() {
    SplittableRandom rng = new SplittableRandom(2);
    for (int n : sizes()) {
      float[] a = RandomTensors.floats(n + 1, rng);
      float[] b = RandomTensors.floats(n + 2, rng);
      float[] y0 = RandomTensors.floats(n + 3, rng);
      float[] e = y0.clone();
      float[] s = y0.clone();
      SCALAR.axpy(0.7f, a, 1, e, 3, n);
      simd.axpy(0.7f, a, 1, s, 3, n);
      assertArrayEquals(e, s, 1e-6f, "axpy n=" + n);
      e = y0.clone();
      s = y0.clone();
      SCALAR.scale(-1.5f, a, 1, e, 2, n);
      simd.scale(-1.5f, a, 1, s, 2, n);
      assertArrayEquals(e, s, 0f, "scale n=" + n);
      e = y0.clone();
      s = y0.clone();
      SCALAR.add(a, 1, b, 2, e, 0, n);
      simd.add(a, 1, b, 2, s, 0, n);
      assertArrayEquals(e, s, 0f, "add n=" + n);
      e = y0.clone();
      s = y0.clone();
      SCALAR.mul(a, 1, b, 2, e, 0, n);
      simd.mul(a, 1, b, 2, s, 0, n);
      assertArrayEquals(e, s, 0f, "mul n=" + n);
      e = y0.clone();
      s = y0.clone();
      SCALAR.mulAdd(a, 1, b, 2, e, 3, n);
      simd.mulAdd(a, 1, b, 2, s, 3, n);
      assertArrayEquals(e, s, 1e-6f, "mulAdd n=" + n);
      e = y0.clone();
      s = y0.clone();
      SCALAR.relu(a, 1, e, 0, n);
      simd.relu(a, 1, s, 0, n);
      assertArrayEquals(e, s, 0f, "relu n=" + n);
      for (boolean accumulate : new boolean[] {true, false}) {
        e = y0.clone();
        s = y0.clone();
        if (!accumulate) {
          // Overwriting must not read out: stale NaNs there may not leak through.
          java.util.Arrays.fill(e, Float.NaN);
          java.util.Arrays.fill(s, Float.NaN);
        }
        SCALAR.reluBackward(a, 1, b, 2, accumulate, e, 3, n);
        simd.reluBackward(a, 1, b, 2, accumulate, s, 3, n);
        assertArrayEquals(e, s, 0f, "reluBackward n=" + n + " accumulate=" + accumulate);
        for (int k = 0; k < n; k++) {
          assertFalse(Float.isNaN(s[3 + k]), "reluBackward read a stale output at " + k);
        }
      }
    }
  }

  @Test
  void expShifted() {
    SplittableRandom rng = new SplittableRandom(3);
    for (int n : sizes()) {
      float[] x = RandomTensors.floats(n, rng);
      for (int k = 0; k < n; k++) {
        x[k] *= 20;
      }
      float[] e = new float[n];
      float[] s = new float[n];
      float mx = SCALAR.max(x, 0, n);
      float se = SCALAR.expShifted(x, 0, mx, e, 0, n);
      float ss = simd.expShifted(x, 0, mx, s, 0, n);
      for (int k = 0; k < n; k++) {
        assertEquals(e[k], s[k], 2e-6f * Math.max(1e-30f, e[k]) + 1e-38f, "exp n=" + n + " k=" + k);
      }
      assertEquals(se, ss, 1e-6f * n * Math.max(1f, se), "expShifted sum n=" + n);
    }
  }

  @Test
  void firstAboveIsExact() {
    SplittableRandom rng = new SplittableRandom(4);
    for (int n : sizes()) {
      float[] x = RandomTensors.floats(n, rng);
      for (float threshold : new float[] {-2f, 0f, 0.9f, 0.999f, 2f}) {
        for (int from : new int[] {0, n / 3, n - 1}) {
          assertEquals(
              SCALAR.firstAbove(x, from, n, threshold),
              simd.firstAbove(x, from, n, threshold),
              "firstAbove n=" + n + " from=" + from + " t=" + threshold);
        }
      }
    }
  }

  @Test
  void countAboveIsExact() {
    SplittableRandom rng = new SplittableRandom(14);
    for (int n : sizes()) {
      float[] x = RandomTensors.floats(n, rng);
      // Ties, infinities and NaN: rounded copies repeat values, so thresholds taken from x tie.
      for (int k = 0; k < n; k += 3) {
        x[k] = Math.round(x[k] * 4) / 4f;
      }
      if (n > 5) {
        x[1] = Float.NaN;
        x[2] = Float.POSITIVE_INFINITY;
        x[n - 2] = Float.NEGATIVE_INFINITY;
      }
      float[] thresholds = {
        -2f, 0f, 0.25f, x[n / 2], x[n - 1], Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY
      };
      for (float threshold : thresholds) {
        for (boolean inclusive : new boolean[] {false, true}) {
          for (int from : new int[] {0, n / 3, n - 1}) {
            for (int to : new int[] {n, Math.max(from, n - 1)}) {
              String what =
                  "countAbove n="
                      + n
                      + " ["
                      + from
                      + ","
                      + to
                      + ") t="
                      + threshold
                      + " "
                      + inclusive;
              int expected = SCALAR.countAbove(x, from, to, threshold, inclusive);
              assertEquals(expected, simd.countAbove(x, from, to, threshold, inclusive), what);
              int naive = 0;
              for (int k = from; k < to; k++) {
                naive += (inclusive ? x[k] >= threshold : x[k] > threshold) ? 1 : 0;
              }
              assertEquals(naive, expected, what);
            }
          }
        }
      }
    }
  }

  @Test
  void gemmAllFormsAgainstScalar() {
    assumeTrue(simd != null, "Vector API absent");
    SplittableRandom rng = new SplittableRandom(5);
    int[][] shapes = {
      {1, 1, 1},
      {2, 3, 5},
      {6, 16, 1},
      {7, 17, 13},
      {13, 31, 29},
      {61, 67, 71},
      {128, 64, 96},
      {5, 300, 7},
      {131, 257, 263},
      {6, 2100, 3}
    };
    for (int[] s : shapes) {
      for (boolean ta : new boolean[] {false, true}) {
        for (boolean tb : new boolean[] {false, true}) {
          int m = s[0];
          int n = s[1];
          int k = s[2];
          int lda = (ta ? m : k) + 2;
          int ldb = (tb ? k : n) + 1;
          int ldc = n + 3;
          float[] a = RandomTensors.floats(5 + (ta ? k : m) * lda, rng);
          float[] b = RandomTensors.floats(7 + (tb ? n : k) * ldb, rng);
          float[] c0 = RandomTensors.floats(1 + m * ldc, rng);
          for (float beta : new float[] {0f, 1f, 0.5f}) {
            float[] ce = c0.clone();
            float[] cs = c0.clone();
            SCALAR.gemm(ta, tb, m, n, k, 1.25f, a, 5, lda, b, 7, ldb, beta, ce, 1, ldc, null);
            simd.gemm(ta, tb, m, n, k, 1.25f, a, 5, lda, b, 7, ldb, beta, cs, 1, ldc, null);
            String what =
                "gemm " + m + "x" + k + "x" + n + " ta=" + ta + " tb=" + tb + " beta=" + beta;
            assertArrayEquals(ce, cs, 2e-6f * k + 1e-5f, what);
          }
        }
      }
    }
  }
}
