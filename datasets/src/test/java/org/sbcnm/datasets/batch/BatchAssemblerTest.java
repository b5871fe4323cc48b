package org.sbcnm.datasets.batch;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.sbcnm.datasets.prepared.Interactions;
import org.sbcnm.datasets.split.UserHistories;

/** Each part of a training batch against its definition, on a hand-made log. */
class BatchAssemblerTest {
  // User 0: items 5, 2, 7 at times 30, 10, 20 (in time order 2, 7, 5); user 1: items 3, 5.
  private static final Interactions LOG =
      new Interactions(
          new int[] {0, 0, 0, 1, 1},
          new int[] {5, 2, 7, 3, 5},
          new float[] {4f, 1f, 2.5f, 5f, 3f},
          new long[] {30, 10, 20, 5, 6});
  private static final int[] IN_ORDER = {0, 1, 2, 3, 4};

  /** Fixed probabilities p̂ⱼ, observing nothing: the assembler's arithmetic on its own. */
  private static final class Fixed implements ColumnProbabilities {
    final double[] p;
    int observed;

    Fixed(double... p) {
      this.p = p;
    }

    @Override
    public void observe(int[] items, int n, float[] logP) {
      observed += n;
      for (int i = 0; i < n; i++) {
        logP[i] = (float) Math.log(p[items[i]]);
      }
    }

    @Override
    public double logProbability(int item) {
      return Math.log(p[item]);
    }
  }

  @Test
  void rowsColumnsAndRatingWeightsFollowThePermutation() {
    BatchAssembler a = new BatchAssembler(LOG, null, 10, null, 3, 0, 8, true, 1);
    int[] perm = {4, 2, 0, 1, 3};
    TrainingBatch b = a.assemble(perm, 0, 0);
    assertEquals(3, b.rows());
    assertArrayEquals(new int[] {1, 0, 0}, Arrays.copyOf(b.users(), 3));
    assertArrayEquals(new int[] {5, 7, 5}, Arrays.copyOf(b.columns(), b.columnCount()));
    assertArrayEquals(new float[] {3f, 2.5f, 4f}, b.weights().floats());
    assertNull(b.logQ(), "no correction, no log q");
    assertFalse(b.hasBags());
    // The last, shorter batch.
    assertSame(b, a.assemble(perm, 3, 1), "one batch, reused");
    assertEquals(2, b.rows());
    assertArrayEquals(new int[] {0, 1}, Arrays.copyOf(b.users(), 2));
    assertArrayEquals(new float[] {1f, 5f}, b.weights().floats());
  }

  @Test
  void withoutRatingsEveryRowWeighsOne() {
    BatchAssembler a = new BatchAssembler(LOG, null, 10, null, 5, 0, 8, false, 1);
    assertArrayEquals(
        new float[] {1f, 1f, 1f, 1f, 1f}, a.assemble(IN_ORDER, 0, 0).weights().floats());
    assertEquals(5, a.size());
  }

  @Test
  void historyBagsHoldOnlyTheUsersEarlierItems() {
    UserHistories h = UserHistories.of(LOG, 2);
    BatchAssembler a = new BatchAssembler(LOG, h, 10, null, 5, 0, 8, false, 1);
    TrainingBatch q = a.assemble(IN_ORDER, 0, 0);
    // Example 0 (item 5 at t=30) follows 2 and 7; example 1 (item 2, t=10) is user 0's first;
    // example 2 (item 7, t=20) follows 2; example 3 is user 1's first; example 4 follows 3.
    int[][] expected = {{2, 7}, {}, {2}, {}, {3}};
    for (int r = 0; r < 5; r++) {
      int[] bag = Arrays.copyOfRange(q.bagItems(), q.bagOffsets()[r], q.bagOffsets()[r + 1]);
      assertArrayEquals(expected[r], bag, "bag of example " + r);
    }
    // Truncated to the most recent item.
    BatchAssembler one = new BatchAssembler(LOG, h, 1, null, 5, 0, 8, false, 1);
    TrainingBatch truncated = one.assemble(IN_ORDER, 0, 0);
    assertArrayEquals(
        new int[] {7}, Arrays.copyOfRange(truncated.bagItems(), 0, truncated.bagOffsets()[1]));
  }

  @Test
  void mixedNegativesGetTheMixtureOfTheEstimateAndTheUniformDraw() {
    int numItems = 8;
    int extra = 3;
    Fixed p = new Fixed(0.05, 0.05, 0.2, 0.1, 0.05, 0.4, 0.05, 0.1);
    BatchAssembler a = new BatchAssembler(LOG, null, 10, p, 5, extra, numItems, false, 9);
    TrainingBatch b = a.assemble(IN_ORDER, 0, 4);
    int[] columns = b.columns();
    assertEquals(8, b.columnCount());
    assertEquals(5, p.observed, "the source observes the positives only");
    for (int r = 0; r < extra; r++) {
      assertEquals(BatchAssembler.uniformItem(9, 4, r, numItems), columns[5 + r]);
    }
    // Every column, positive or extra: q = (5·p̂ + 3/8) / 8.
    for (int c = 0; c < b.columnCount(); c++) {
      double q = (5 * p.p[columns[c]] + 3.0 / 8) / 8;
      assertEquals(Math.log(q), b.logQ()[c], 1e-6, "column " + c);
    }
    // Without extras, log p̂ itself.
    TrainingBatch plain =
        new BatchAssembler(LOG, null, 10, p, 5, 0, 8, false, 9).assemble(IN_ORDER, 0, 0);
    assertEquals(Math.log(0.4), plain.logQ()[0], 1e-6);
  }

  @Test
  void theShuffleIsAPermutationSeededByEpoch() {
    int[] a = new int[50];
    int[] b = new int[50];
    BatchAssembler.shuffle(a, 7, 0);
    BatchAssembler.shuffle(b, 7, 0);
    assertArrayEquals(a, b);
    int[] sorted = a.clone();
    Arrays.sort(sorted);
    for (int i = 0; i < 50; i++) {
      assertEquals(i, sorted[i]);
    }
    BatchAssembler.shuffle(b, 7, 1);
    assertFalse(Arrays.equals(a, b), "another epoch, another order");
    BatchAssembler.shuffle(b, 8, 0);
    assertFalse(Arrays.equals(a, b), "another seed, another order");
  }

  @Test
  void badSizesAreRefused() {
    assertThrows(
        IllegalArgumentException.class,
        () -> new BatchAssembler(LOG, null, 10, null, 0, 0, 8, false, 1));
    assertThrows(
        IllegalArgumentException.class,
        () -> new BatchAssembler(LOG, null, 10, null, 5, -1, 8, false, 1));
  }

  @Test
  void uniformNegativesAreSeededCounterDraws() {
    int[] seen = new int[10];
    for (int r = 0; r < 10_000; r++) {
      int j = BatchAssembler.uniformItem(3, 17, r, 10);
      seen[j]++;
      assertEquals(j, BatchAssembler.uniformItem(3, 17, r, 10));
    }
    for (int j = 0; j < 10; j++) {
      assertEquals(1000, seen[j], 150, "item " + j);
    }
  }
}
