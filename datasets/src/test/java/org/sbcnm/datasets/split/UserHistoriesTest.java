package org.sbcnm.datasets.split;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.sbcnm.datasets.prepared.Interactions;

/** History bags by hand: time order, ties by line, truncation to the most recent items. */
class UserHistoriesTest {
  // User 0: items 5, 2, 7, 4 at times 30, 10, 20, 20 (in time order 2, 7, 4, 5: the tie by line);
  // user 1: items 3, 5; user 2: none.
  private static final Interactions LOG =
      new Interactions(
          new int[] {0, 0, 0, 1, 1, 0},
          new int[] {5, 2, 7, 3, 5, 4},
          new float[] {1, 1, 1, 1, 1, 1},
          new long[] {30, 10, 20, 5, 6, 20});

  private static int[][] bags(int[] offsets, int[] items, int n) {
    int[][] out = new int[n][];
    for (int r = 0; r < n; r++) {
      out[r] = Arrays.copyOfRange(items, offsets[r], offsets[r + 1]);
    }
    return out;
  }

  @Test
  void fullBagsHoldEachUsersMostRecentItemsInTimeOrder() {
    UserHistories h = UserHistories.of(LOG, 3);
    int[] offsets = new int[4];
    int[] items = new int[9];
    assertEquals(5, h.fullBags(new int[] {9, 0, 1, 2}, 1, 3, 3, offsets, items));
    assertArrayEquals(new int[][] {{7, 4, 5}, {3, 5}, {}}, bags(offsets, items, 3));
    assertEquals(2, h.fullBags(new int[] {0, 1}, 0, 2, 1, offsets, items));
    assertArrayEquals(new int[][] {{5}, {5}}, bags(offsets, items, 2));
  }

  @Test
  void trainingBagsHoldOnlyWhatCameBeforeTheExample() {
    UserHistories h = UserHistories.of(LOG, 3);
    int[] examples = {0, 5, 2, 1, 4};
    int[] users = {0, 0, 0, 0, 1};
    int[] offsets = new int[6];
    int[] items = new int[20];
    assertEquals(7, h.trainingBags(examples, 0, users, 5, 4, offsets, items));
    assertArrayEquals(new int[][] {{2, 7, 4}, {2, 7}, {2}, {}, {3}}, bags(offsets, items, 5));
    // From an offset into the examples, truncated to two items.
    h.trainingBags(examples, 1, users, 1, 2, offsets, items);
    assertArrayEquals(new int[][] {{2, 7}}, bags(offsets, items, 1));
    h.trainingBags(new int[] {0}, 0, new int[] {0}, 1, 2, offsets, items);
    assertArrayEquals(new int[][] {{7, 4}}, bags(offsets, items, 1));
  }
}
