package org.sbcnm.training.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The step-time statistics bench-train reports. */
class BenchTrainCommandTest {
  private static final long MS = 1_000_000L;

  @Test
  void stepTimesAreTheGapsBetweenRecordedEndsInOrder() {
    // Ends at 0, 5, 7, 17 and 20 ms after 1 ns (0 marks a step not recorded).
    long[] ends = {1, 1 + 5 * MS, 1 + 7 * MS, 1 + 17 * MS, 1 + 20 * MS, 0, 0};
    assertArrayEquals(
        new long[] {5 * MS, 2 * MS, 10 * MS, 3 * MS}, BenchTrainCommand.stepNanos(ends));
    assertEquals(0, BenchTrainCommand.stepNanos(new long[] {7, 0}).length);
  }

  @Test
  void quantilesTakeTheNearestRankAndAnEvenMedianAverages() {
    long[] d = {2 * MS, 3 * MS, 5 * MS, 10 * MS};
    assertEquals(4.0, BenchTrainCommand.quantileMillis(d, 0.5));
    assertEquals(2.0, BenchTrainCommand.quantileMillis(d, 0.1));
    assertEquals(10.0, BenchTrainCommand.quantileMillis(d, 0.9));
    long[] odd = {1 * MS, 4 * MS, 9 * MS};
    assertEquals(4.0, BenchTrainCommand.quantileMillis(odd, 0.5));
    assertTrue(Double.isNaN(BenchTrainCommand.quantileMillis(new long[0], 0.5)));
  }
}
