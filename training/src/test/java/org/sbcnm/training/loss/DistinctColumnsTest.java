package org.sbcnm.training.loss;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class DistinctColumnsTest {
  @Test
  void groupsInOrderOfFirstOccurrenceAndPads() {
    int[] items = {7, 3, 7, 9, 3, 7};
    DistinctColumns d = new DistinctColumns().build(items, null, items.length);
    assertEquals(3, d.distinct());
    assertEquals(DistinctColumns.PAD, d.size());
    assertArrayEquals(new int[] {7, 3, 9}, Arrays.copyOf(d.items(), 3));
    assertArrayEquals(new int[] {0, 1, 0, 2, 1, 0}, Arrays.copyOf(d.distinctOf(), 6));
    assertEquals(3.0, d.counts().getFlat(0));
    assertEquals(2.0, d.counts().getFlat(1));
    assertEquals(1.0, d.counts().getFlat(2));
    for (int j = 3; j < d.size(); j++) {
      assertTrue(d.isPadding(j));
      assertEquals(1.0, d.counts().getFlat(j));
      assertEquals(7, d.items()[j]);
    }
    assertFalse(d.isPadding(2));
    assertNull(d.logQ());
    assertFalse(d.itemRepeats());
  }

  @Test
  void theSameItemWithAnotherLogQIsAnotherColumn() {
    int[] items = {4, 4, 5, 4};
    float[] logQ = {-1f, -2f, -3f, -1f};
    DistinctColumns d = new DistinctColumns().build(items, logQ, 4);
    assertEquals(3, d.distinct());
    assertArrayEquals(new int[] {0, 1, 2, 0}, Arrays.copyOf(d.distinctOf(), 4));
    assertArrayEquals(new float[] {-1f, -2f, -3f}, Arrays.copyOf(d.logQ(), 3));
    assertTrue(d.itemRepeats());
  }

  @Test
  void matchesAReferenceGroupingOverReusedBuffers() {
    // Batches of changing sizes through one instance: every column maps to the first column with
    // its item, the counts add up, and the sizes are padded multiples.
    SplittableRandom rng = new SplittableRandom(3);
    DistinctColumns d = new DistinctColumns();
    for (int round = 0; round < 200; round++) {
      int n = 1 + rng.nextInt(1100);
      int[] items = new int[n];
      for (int j = 0; j < n; j++) {
        items[j] = rng.nextInt(1 + rng.nextInt(3000)) - 100;
      }
      d.build(items, null, n);
      int distinct = 0;
      long total = 0;
      for (int j = 0; j < n; j++) {
        int first = 0;
        while (items[first] != items[j]) {
          first++;
        }
        if (first == j) {
          assertEquals(distinct, d.distinctOf()[j], "round " + round + " column " + j);
          distinct++;
        } else {
          assertEquals(d.distinctOf()[first], d.distinctOf()[j], "round " + round);
        }
        assertEquals(items[j], d.items()[d.distinctOf()[j]]);
      }
      assertEquals(distinct, d.distinct());
      assertEquals(0, d.size() % DistinctColumns.PAD);
      assertTrue(d.size() >= distinct && d.size() < distinct + DistinctColumns.PAD);
      assertEquals(d.size(), d.counts().cols());
      for (int k = 0; k < distinct; k++) {
        total += (long) d.counts().getFlat(k);
      }
      assertEquals(n, total);
    }
  }

  @Test
  void anEmptyBatchIsRefused() {
    assertThrows(
        IllegalArgumentException.class, () -> new DistinctColumns().build(new int[0], null, 0));
  }
}
