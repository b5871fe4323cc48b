package org.sbcnm.training.loop;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** Allocations checked against the heap before they are made. */
class MemoryBudgetTest {
  @Test
  void refusesPastThreeQuartersOfTheHeapNamingTheSource() {
    long heap = 1L << 30;
    assertDoesNotThrow(() -> MemoryBudget.require(3L << 28, "x", heap));
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                MemoryBudget.require(
                    (3L << 28) + 1, "the frequency estimator (--hash_buckets)", heap));
    assertEquals(
        "the frequency estimator (--hash_buckets) would need 768.0 MiB but the heap allows at"
            + " most 1.0 GiB (raise -Xmx if this is meant)",
        e.getMessage());
  }

  @Test
  void humanSizes() {
    assertEquals("0 B", MemoryBudget.human(0));
    assertEquals("1023 B", MemoryBudget.human(1023));
    assertEquals("1.0 KiB", MemoryBudget.human(1024));
    assertEquals("1.5 MiB", MemoryBudget.human(3L << 19));
    assertEquals("4.0 GiB", MemoryBudget.human(4L << 30));
    assertEquals("8.0 EiB", MemoryBudget.human(Long.MAX_VALUE));
  }
}
