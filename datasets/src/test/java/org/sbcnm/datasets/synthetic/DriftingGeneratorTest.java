package org.sbcnm.datasets.synthetic;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.sbcnm.datasets.prepared.Interactions;
import org.sbcnm.datasets.prepared.PreparedDataset;

class DriftingGeneratorTest {
  private static DriftConfig config(double drift, long seed) {
    return new DriftConfig(400, 100, 3, 6, 0.5, 1.1, 1.0, 0.1, drift, seed);
  }

  @Test
  void eachPeriodHoldsItsActiveUsersDistinctPicksInTimeOrder() {
    Interactions a = DriftingGenerator.generate(config(0.2, 1)).interactions();
    assertEquals(3 * 200 * 6, a.size());
    int[] perPeriod = new int[3];
    Set<Long> picks = new HashSet<>();
    for (int k = 0; k < a.size(); k++) {
      int p = (int) (a.timestamp(k) / DriftingGenerator.PERIOD);
      perPeriod[p]++;
      assertTrue(picks.add(((long) p << 40) | ((long) a.user(k) << 20) | a.item(k)));
      assertTrue(k == 0 || a.timestamp(k) >= a.timestamp(k - 1));
    }
    assertArrayEquals(new int[] {1200, 1200, 1200}, perPeriod);
  }

  @Test
  void theSameSeedGivesTheSameStream() {
    PreparedDataset x = DriftingGenerator.generate(config(0.2, 5));
    PreparedDataset y = DriftingGenerator.generate(config(0.2, 5));
    assertArrayEquals(x.interactions().items(), y.interactions().items());
    assertArrayEquals(x.interactions().timestamps(), y.interactions().timestamps());
    assertArrayEquals(x.itemFeatures().floats(), y.itemFeatures().floats());
    assertEquals(x.items().rawId(7), y.items().rawId(7));
  }

  /** Items popular in period 0 stay popular in period 1 without drift, far less with full drift. */
  @Test
  void driftMovesPopularityBetweenPeriods() {
    int kept = overlapOfTopItems(config(0, 3));
    int moved = overlapOfTopItems(config(1, 3));
    assertTrue(kept > moved + 3, kept + " vs " + moved);
    assertThrows(IllegalArgumentException.class, () -> config(1.5, 1));
  }

  /** How many of period 0's ten most picked items are among period 1's ten most picked. */
  private static int overlapOfTopItems(DriftConfig c) {
    Interactions a = DriftingGenerator.generate(c).interactions();
    int[][] counts = new int[2][c.items()];
    for (int k = 0; k < a.size(); k++) {
      int p = (int) (a.timestamp(k) / DriftingGenerator.PERIOD);
      if (p < 2) {
        counts[p][a.item(k)]++;
      }
    }
    Set<Integer> first = top(counts[0], 10);
    first.retainAll(top(counts[1], 10));
    return first.size();
  }

  private static Set<Integer> top(int[] counts, int n) {
    Integer[] order = new Integer[counts.length];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    java.util.Arrays.sort(order, (x, y) -> Integer.compare(counts[y], counts[x]));
    return new HashSet<>(java.util.Arrays.asList(order).subList(0, n));
  }
}
