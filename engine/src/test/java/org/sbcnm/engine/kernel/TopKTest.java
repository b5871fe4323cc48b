package org.sbcnm.engine.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Arrays;
import java.util.Comparator;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.sbcnm.engine.tensor.Tensor;
import org.sbcnm.engine.testing.TailSizes;

/** Top-K selection against a full sort, with ties, short rows and both implementations. */
class TopKTest {
  /** The oracle: sort all indices by (score desc, index asc), keep k. */
  private static int[] sortedTopK(float[] x, int k) {
    return sortedTopK(x, k, new int[0]);
  }

  @Test
  void matchesSortForEveryImplementation() {
    SplittableRandom rng = new SplittableRandom(7);
    FloatKernels simd = KernelProvider.simdOrNull();
    for (FloatKernels impl :
        simd == null
            ? new FloatKernels[] {ScalarKernels.INSTANCE}
            : new FloatKernels[] {ScalarKernels.INSTANCE, simd}) {
      for (int n : TailSizes.forLanes(impl.lanes())) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
          x[i] = rng.nextInt(50) / 7f; // many ties
        }
        for (int k : new int[] {1, 3, 10, 100, 1000}) {
          int[] idx = new int[k];
          float[] vals = new float[k];
          int found = TopK.selectUnchecked(impl, x, 0, n, k, idx, 0, vals, 0);
          int[] expected = sortedTopK(x, k);
          assertEquals(Math.min(k, n), found);
          assertArrayEquals(
              expected, Arrays.copyOf(idx, found), impl.name() + " n=" + n + " k=" + k);
          for (int r = 0; r < found; r++) {
            assertEquals(x[expected[r]], vals[r]);
          }
          for (int r = found; r < k; r++) {
            assertEquals(-1, idx[r]);
          }
        }
      }
    }
  }

  @Test
  void rowsOfAMatrix() {
    SplittableRandom rng = new SplittableRandom(8);
    int rows = 130;
    int cols = 1021;
    Tensor s = Tensor.zeros(rows, cols);
    for (int i = 0; i < s.size(); i++) {
      s.setFlat(i, rng.nextGaussian());
    }
    int k = 17;
    int[] idx = new int[rows * k];
    float[] vals = new float[rows * k];
    TopK.rows(s, k, idx, vals);
    for (int r = 0; r < rows; r++) {
      float[] row = Arrays.copyOfRange(s.floats(), r * cols, (r + 1) * cols);
      assertArrayEquals(
          sortedTopK(row, k), Arrays.copyOfRange(idx, r * k, (r + 1) * k), "row " + r);
    }
  }

  @Test
  void knownAnswerAndNaN() {
    float[] x = {0.5f, Float.NaN, 2f, 2f, -1f};
    int[] idx = new int[3];
    float[] vals = new float[3];
    TopK.select(x, 0, x.length, 3, idx, 0, vals, 0);
    assertArrayEquals(new int[] {2, 3, 0}, idx);
    assertArrayEquals(new float[] {2f, 2f, 0.5f}, vals);
  }

  /**
   * The oracle's order: Double.compare on −score puts NaN last; ±0 tie, as the kernels' {@code >}.
   */
  private static int[] sortedTopK(float[] x, int k, int[] excluded) {
    return IntStream.range(0, x.length)
        .filter(i -> Arrays.binarySearch(excluded, i) < 0)
        .boxed()
        .sorted(
            Comparator.<Integer>comparingDouble(i -> x[i] != x[i] ? Double.NaN : -x[i] + 0.0)
                .thenComparingInt(i -> i))
        .limit(k)
        .mapToInt(Integer::intValue)
        .toArray();
  }

  @Test
  void anAccumulatorOverBlocksMatchesTheSortWithExclusionsNaNAndInfinities() {
    SplittableRandom rng = new SplittableRandom(9);
    TopK.Accumulator acc = new TopK.Accumulator();
    for (int n : new int[] {1, 5, 17, 100, 1000, 5000}) {
      for (int trial = 0; trial < 12; trial++) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
          // Rising on average, so candidates keep coming and the buffer refills; many ties.
          x[i] = rng.nextInt(40) / 8f + (trial % 2 == 0 ? i / 64f : 0f);
          int special = rng.nextInt(40);
          if (special == 0) {
            x[i] = Float.NaN;
          } else if (special == 1) {
            x[i] = Float.NEGATIVE_INFINITY;
          } else if (special == 2) {
            x[i] = Float.POSITIVE_INFINITY;
          }
        }
        int[] excluded = rng.ints(rng.nextInt(n / 2 + 1), 0, n).distinct().sorted().toArray();
        int[] padded = new int[excluded.length + 3];
        System.arraycopy(excluded, 0, padded, 1, excluded.length);
        for (int k : new int[] {1, 7, 100, 1000}) {
          acc.reset(k, padded, 1, 1 + excluded.length);
          int block = 1 + rng.nextInt(Math.max(1, n));
          for (int b = 0; b < n; b += block) {
            acc.offer(x, b, Math.min(block, n - b), b);
          }
          int[] idx = new int[k];
          float[] vals = new float[k];
          int found = acc.drain(idx, 0, vals, 0);
          int[] expected = sortedTopK(x, k, excluded);
          String what = "n=" + n + " trial " + trial + " k=" + k + " block " + block;
          assertEquals(expected.length, found, what);
          assertArrayEquals(expected, Arrays.copyOf(idx, found), what);
          for (int r = 0; r < found; r++) {
            assertEquals(x[expected[r]], vals[r], what);
          }
          for (int r = found; r < k; r++) {
            assertEquals(-1, idx[r], what);
            assertEquals(Float.NEGATIVE_INFINITY, vals[r], what);
          }
        }
      }
    }
  }

  @Test
  void minusInfinityRanksAboveNaNAndNaNFillsOnlyWhenNumbersRunOut() {
    float[] x = {Float.NaN, Float.NaN, Float.NEGATIVE_INFINITY, 1f};
    int[] idx = new int[3];
    float[] vals = new float[3];
    assertEquals(3, TopK.select(x, 0, x.length, 3, idx, 0, vals, 0));
    assertArrayEquals(new int[] {3, 2, 0}, idx);
    int[] two = new int[2];
    TopK.select(x, 0, x.length, 2, two, 0, new float[2], 0);
    assertArrayEquals(new int[] {3, 2}, two);
  }

  @Test
  void rejectsBadK() {
    assertThrows(
        IllegalArgumentException.class,
        () -> TopK.select(new float[3], 0, 3, 0, new int[1], 0, new float[1], 0));
    assertThrows(
        IllegalArgumentException.class,
        () -> TopK.select(new float[3], 0, 3, 1001, new int[1001], 0, new float[1001], 0));
  }

  @Test
  void providerCanBeForcedAndReportsItself() {
    assumeTrue(KernelProvider.vectorModulePresent());
    assertEquals("simd", Kernels.implementation());
    assertEquals(SimdKernels.Species.L, Kernels.lanes());
  }
}
