package org.sbcnm.training.loop;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sbcnm.datasets.prepared.Interactions;
import org.sbcnm.datasets.prepared.PreparedDataset;
import org.sbcnm.datasets.split.HeldOutSplit;
import org.sbcnm.datasets.split.UserHistories;
import org.sbcnm.datasets.synthetic.DriftConfig;
import org.sbcnm.datasets.synthetic.DriftingGenerator;
import org.sbcnm.engine.kernel.KernelPool;
import org.sbcnm.towers.config.ModelConfig;
import org.sbcnm.towers.config.TowerKind;
import org.sbcnm.training.loop.PeriodReplay.Score;
import org.sbcnm.training.loop.PeriodReplay.Variant;

class PeriodReplayTest {
  @TempDir Path dir;

  private static Interactions at(long... times) {
    int n = times.length;
    return new Interactions(new int[n], new int[n], new float[n], times);
  }

  @Test
  void periodsOfEqualCountNeverSplitAnInstant() {
    assertArrayEquals(new long[] {1, 3, 5, 8}, PeriodReplay.byCount(at(1, 2, 3, 4, 5, 7), 3));
    // The middle falls among the 2s: the cut is at the instant's start, all of it after.
    assertArrayEquals(new long[] {1, 2, 4}, PeriodReplay.byCount(at(1, 2, 2, 2, 3), 2));
    assertArrayEquals(new long[] {10, 20, 30, 40}, PeriodReplay.byLength(at(10, 15, 39), 10));
    assertThrows(IllegalArgumentException.class, () -> PeriodReplay.byCount(at(1, 2), 3));
    assertThrows(IllegalArgumentException.class, () -> PeriodReplay.byLength(at(1, 2), 5));
  }

  @Test
  void theNextPeriodScoresNewItemsOfUsersWithAPast() {
    Interactions earlier =
        new Interactions(new int[] {0, 0, 1}, new int[] {3, 1, 2}, new float[3], new long[3]);
    // User 0: item 1 again (seen), 4 twice, 0; user 1: 2 (seen); user 2: no past.
    Interactions next =
        new Interactions(
            new int[] {0, 0, 1, 2, 0, 0}, new int[] {1, 4, 2, 0, 4, 0}, new float[6], new long[6]);
    HeldOutSplit s = HeldOutSplit.nextPeriod(earlier, next, 3);
    assertArrayEquals(new int[] {0, 0}, s.testUsers());
    assertArrayEquals(new int[] {0, 4}, s.testItems());
    assertArrayEquals(new int[] {0, 2, 3, 3}, s.userTrainPtr());
    assertArrayEquals(new int[] {1, 3, 2}, s.userTrainItems());
  }

  @Test
  void aPeriodsBagsReachBackIntoEarlierPeriods() {
    Interactions earlier =
        new Interactions(new int[] {0, 0}, new int[] {5, 6}, new float[2], new long[] {1, 2});
    Interactions now =
        new Interactions(new int[] {0, 0}, new int[] {7, 8}, new float[2], new long[] {3, 4});
    UserHistories h = UserHistories.of(earlier, now, 1);
    int[] out = new int[4];
    assertEquals(2, h.trainingBag(0, 0, 10, out, 0));
    assertArrayEquals(new int[] {5, 6}, java.util.Arrays.copyOf(out, 2));
    assertEquals(3, h.trainingBag(1, 0, 10, out, 0));
    assertArrayEquals(new int[] {5, 6, 7}, java.util.Arrays.copyOf(out, 3));
    assertEquals(2, h.trainingBag(1, 0, 2, out, 0));
    assertArrayEquals(new int[] {6, 7}, java.util.Arrays.copyOf(out, 2));
    assertEquals(4, h.fullBag(0, 10, out, 0));
    assertArrayEquals(new int[] {5, 6, 7, 8}, out);
  }

  /** Small towers at the default temperature, 0.05. */
  static ModelConfig towers(TowerKind query) {
    ModelConfig m = TrainerTest.small(query, TowerKind.ID);
    return new ModelConfig(m.query(), m.item(), 0.05, m.seed());
  }

  static TrainConfig config(long seed) {
    // 4,096 buckets: every item of these tests (at most 400) has its own, and a checkpoint holds a
    // 256th of the default's estimator state.
    return TrainConfig.builder()
        .epochs(1)
        .batchSize(256)
        .seed(seed)
        .hashBuckets(1 << 12)
        .ks(10, 20)
        .threads(2)
        .build();
  }

  static List<Score> replay(Path dir, PreparedDataset d, ModelConfig m, long seed, Variant... v)
      throws IOException {
    PeriodReplay r =
        new PeriodReplay(
            d,
            PeriodReplay.byLength(d.interactions(), DriftingGenerator.PERIOD),
            m,
            config(seed),
            dir.resolve("work"));
    try (KernelPool pool = new KernelPool(2)) {
      return r.run(List.of(v), s -> {}, pool);
    }
  }

  static double mean(List<Score> scores, Variant v, String key) {
    return scores.stream()
        .filter(s -> s.variant() == v)
        .mapToDouble(s -> s.metrics().get(key))
        .average()
        .orElseThrow();
  }

  @Test
  void everyVariantStartsFromTheSameFirstPeriodAndCleansUp() throws IOException {
    PreparedDataset d =
        DriftingGenerator.generate(new DriftConfig(200, 80, 3, 5, 0.5, 1.1, 1, 0.1, 0.2, 4));
    List<Score> s =
        replay(
            dir, d, towers(TowerKind.HISTORY), 1, Variant.CARRIED, Variant.RESET, Variant.SCRATCH);
    assertEquals(6, s.size());
    // Period 1 is scored after period 0 alone, trained alike by all three.
    assertEquals(s.get(0).metrics(), s.get(2).metrics());
    assertEquals(s.get(0).metrics(), s.get(4).metrics());
    assertEquals(List.of(1, 2, 1, 2, 1, 2), s.stream().map(Score::period).toList());
    // Scratch trains on every period so far, the others on the last one.
    assertEquals(500, s.get(1).trainInteractions());
    assertEquals(1000, s.get(5).trainInteractions());
    assertTrue(s.get(1).testCases() > 0);
    try (var left = Files.list(dir.resolve("work"))) {
      assertEquals(0, left.count(), "no checkpoint is left behind");
    }
  }

  @Test
  void badCutsAreRefused() {
    PreparedDataset d =
        DriftingGenerator.generate(new DriftConfig(50, 20, 2, 3, 1, 1.1, 1, 0.1, 0.2, 1));
    ModelConfig m = towers(TowerKind.ID);
    IllegalArgumentException one =
        assertThrows(
            IllegalArgumentException.class,
            () -> new PeriodReplay(d, new long[] {0, 1L << 40}, m, config(1), dir));
    assertTrue(one.getMessage().contains("two periods"), one.getMessage());
    IllegalArgumentException empty =
        assertThrows(
            IllegalArgumentException.class,
            () -> new PeriodReplay(d, new long[] {0, 1, 2, 1L << 40}, m, config(1), dir));
    assertTrue(empty.getMessage().contains("is empty"), empty.getMessage());
    assertEquals(Variant.SCRATCH, Variant.parse(" Scratch"));
    assertThrows(IllegalArgumentException.class, () -> Variant.parse("warm"));
  }
}
