package org.sbcnm.training.loop;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.sbcnm.datasets.prepared.Interactions;
import org.sbcnm.datasets.split.UserHistories;
import org.sbcnm.towers.tower.TowerBatch;
import org.sbcnm.training.sampling.ExactCounts;

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

  @Test
  void rowsColumnsAndRatingWeightsFollowThePermutation() {
    BatchAssembler a = new BatchAssembler(LOG, null, 10, null, 3, 0, 8, true, 1);
    TowerBatch q = new TowerBatch();
    int[] perm = {4, 2, 0, 1, 3};
    assertEquals(3, a.assemble(perm, 0, 0, q));
    assertArrayEquals(new int[] {1, 0, 0}, Arrays.copyOf(q.ids(), 3));
    assertArrayEquals(new int[] {5, 7, 5}, Arrays.copyOf(a.columns(), a.columnCount()));
    assertArrayEquals(new float[] {3f, 2.5f, 4f}, a.weights().floats());
    assertNull(a.logQ(), "no correction, no log q");
    // The last, shorter batch.
    assertEquals(2, a.assemble(perm, 3, 1, q));
    assertArrayEquals(new int[] {0, 1}, Arrays.copyOf(q.ids(), 2));
    assertArrayEquals(new float[] {1f, 5f}, a.weights().floats());
  }

  @Test
  void withoutRatingsEveryRowWeighsOne() {
    BatchAssembler a = new BatchAssembler(LOG, null, 10, null, 5, 0, 8, false, 1);
    a.assemble(IN_ORDER, 0, 0, new TowerBatch());
    assertArrayEquals(new float[] {1f, 1f, 1f, 1f, 1f}, a.weights().floats());
  }

  @Test
  void historyBagsHoldOnlyTheUsersEarlierItems() {
    UserHistories h = UserHistories.of(LOG, 2);
    BatchAssembler a = new BatchAssembler(LOG, h, 10, null, 5, 0, 8, false, 1);
    TowerBatch q = new TowerBatch();
    a.assemble(IN_ORDER, 0, 0, q);
    // Example 0 (item 5 at t=30) follows 2 and 7; example 1 (item 2, t=10) is user 0's first;
    // example 2 (item 7, t=20) follows 2; example 3 is user 1's first; example 4 follows 3.
    int[][] expected = {{2, 7}, {}, {2}, {}, {3}};
    for (int r = 0; r < 5; r++) {
      int[] bag = Arrays.copyOfRange(q.bagIds(), q.bagOffsets()[r], q.bagOffsets()[r + 1]);
      assertArrayEquals(expected[r], bag, "bag of example " + r);
    }
    // Truncated to the most recent item.
    BatchAssembler one = new BatchAssembler(LOG, h, 1, null, 5, 0, 8, false, 1);
    one.assemble(IN_ORDER, 0, 0, q);
    assertArrayEquals(new int[] {7}, Arrays.copyOfRange(q.bagIds(), 0, q.bagOffsets()[1]));
  }

  @Test
  void mixedNegativesGetTheMixtureOfTheEstimateAndTheUniformDraw() {
    int numItems = 8;
    int extra = 3;
    BatchAssembler a =
        new BatchAssembler(LOG, null, 10, new ExactCounts(numItems), 5, extra, numItems, false, 9);
    a.assemble(IN_ORDER, 0, 4, new TowerBatch());
    int[] columns = a.columns();
    assertEquals(8, a.columnCount());
    for (int r = 0; r < extra; r++) {
      assertEquals(BatchAssembler.uniformItem(9, 4, r, numItems), columns[5 + r]);
    }
    // Counts after the batch 5, 2, 7, 3, 5: p̂(5) = 2/5, p̂(2) = p̂(7) = p̂(3) = 1/5, and any
    // other item the floor 1/5. Mixture: q = (5·p̂ + 3/8) / 8.
    for (int c = 0; c < a.columnCount(); c++) {
      double p = columns[c] == 5 ? 0.4 : 0.2;
      assertEquals(Math.log((5 * p + 3.0 / 8) / 8), a.logQ()[c], 1e-6, "column " + c);
    }
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
