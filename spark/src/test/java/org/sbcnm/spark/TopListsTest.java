package org.sbcnm.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Top lists, their merge, ranks and recommendations, by known answers (no Spark). */
class TopListsTest {
  private static final float NONE = Float.NEGATIVE_INFINITY;

  private static TopLists one(int target, boolean repeated, int[] items, float[] scores) {
    return new TopLists(
        new int[] {7}, new int[] {target}, new boolean[] {repeated}, items.length, items, scores);
  }

  @Test
  void orderIsScoreThenIndexWithPaddingLast() {
    assertTrue(TopLists.before(2f, 9, 1f, 0));
    assertFalse(TopLists.before(1f, 0, 2f, 9));
    assertTrue(TopLists.before(1f, 3, 1f, 4));
    assertFalse(TopLists.before(1f, 4, 1f, 3));
    assertFalse(TopLists.before(1f, 3, 1f, 3));
    assertTrue(TopLists.before(-5f, 3, NONE, -1));
    assertFalse(TopLists.before(NONE, -1, -5f, 3));
    assertFalse(TopLists.before(NONE, -1, NONE, -1));
  }

  @Test
  void itemZeroIsAnItemNotPadding() {
    assertFalse(TopLists.before(0.1f, 5, 0.9f, 0));
    assertTrue(TopLists.before(0.9f, 0, 0.1f, 5));
    assertTrue(TopLists.before(0.5f, 0, NONE, -1));
    TopLists t = one(0, false, new int[] {3, 0, 2}, new float[] {0.9f, 0.8f, 0.7f});
    assertEquals(1, t.rank(0));
    assertEquals(2, one(2, false, t.items, t.scores).rank(0));
    int[] items = new int[3];
    assertEquals(3, t.recommendations(0, 3, items, new float[3]));
    assertArrayEquals(new int[] {3, 0, 2}, items);
  }

  @Test
  void ranksAndRecommendationsReadTheirOwnRow() {
    TopLists t =
        new TopLists(
            new int[] {0, 1},
            new int[] {5, 6},
            new boolean[] {false, true},
            3,
            new int[] {5, 1, 2, 3, 6, 4},
            new float[] {0.9f, 0.5f, 0.4f, 0.8f, 0.7f, 0.6f});
    assertEquals(0, t.rank(0));
    assertEquals(1, t.rank(1));
    int[] items = new int[5];
    float[] scores = new float[5];
    assertEquals(3, t.recommendations(0, 5, items, scores));
    assertArrayEquals(new int[] {5, 1, 2}, Arrays.copyOf(items, 3));
    assertEquals(2, t.recommendations(1, 5, items, scores));
    assertArrayEquals(new int[] {3, 4}, Arrays.copyOf(items, 2));
    assertArrayEquals(new float[] {0.8f, 0.6f}, Arrays.copyOf(scores, 2));
  }

  @Test
  void mergeKeepsTheBestOfBothInOrder() {
    TopLists a = one(-1, false, new int[] {4, 1, 9, -1}, new float[] {0.9f, 0.5f, 0.5f, NONE});
    TopLists b = one(-1, false, new int[] {2, 3, 5, 6}, new float[] {0.7f, 0.5f, 0.2f, 0.1f});
    TopLists m = a.merge(b);
    assertArrayEquals(new int[] {4, 2, 1, 3}, m.items);
    assertArrayEquals(new float[] {0.9f, 0.7f, 0.5f, 0.5f}, m.scores);
    TopLists back = b.merge(a);
    assertArrayEquals(m.items, back.items);
    assertArrayEquals(m.scores, back.scores);
  }

  @Test
  void mergeOfPaddedListsStaysPadded() {
    TopLists a = one(-1, false, new int[] {4, -1, -1}, new float[] {0.3f, NONE, NONE});
    TopLists b = one(-1, false, new int[] {-1, -1, -1}, new float[] {NONE, NONE, NONE});
    TopLists m = a.merge(b);
    assertArrayEquals(new int[] {4, -1, -1}, m.items);
  }

  @Test
  void mergeWorksRowByRow() {
    TopLists a =
        new TopLists(
            new int[] {0, 1},
            new int[] {-1, -1},
            new boolean[2],
            2,
            new int[] {1, 2, 3, 4},
            new float[] {0.5f, 0.1f, 0.9f, 0.8f});
    TopLists b =
        new TopLists(
            new int[] {0, 1},
            new int[] {-1, -1},
            new boolean[2],
            2,
            new int[] {7, 8, 5, 6},
            new float[] {0.4f, 0.3f, 0.95f, 0.1f});
    assertArrayEquals(new int[] {1, 7, 5, 3}, a.merge(b).items);
  }

  @Test
  void mergeRefusesOtherShapes() {
    TopLists a = one(-1, false, new int[] {1, 2}, new float[] {1f, 0f});
    TopLists b = one(-1, false, new int[] {1, 2, 3}, new float[] {1f, 0f, 0f});
    assertThrows(IllegalArgumentException.class, () -> a.merge(b));
  }

  @Test
  void rankCountsTiesAgainstTheTarget() {
    // Items 2 and 8 tie with the target 5; both count against it, whichever index is lower.
    TopLists t =
        one(
            5,
            false,
            new int[] {1, 2, 5, 8, 3, 4},
            new float[] {0.9f, 0.7f, 0.7f, 0.7f, 0.2f, 0.1f});
    assertEquals(3, t.rank(0));
    assertEquals(0, one(1, false, t.items, t.scores).rank(0));
    assertEquals(4, one(3, false, t.items, t.scores).rank(0));
  }

  @Test
  void rankBeyondTheListIsCappedAtItsLastPlace() {
    TopLists t = one(42, false, new int[] {1, 2, 3}, new float[] {0.9f, 0.8f, 0.7f});
    assertEquals(2, t.rank(0));
    TopLists allTied = one(3, false, new int[] {1, 2, 3}, new float[] {0.5f, 0.5f, 0.5f});
    assertEquals(2, allTied.rank(0));
  }

  @Test
  void rankIgnoresPaddingAndUsersWithoutTarget() {
    TopLists t = one(2, false, new int[] {1, 2, -1}, new float[] {0.9f, 0.8f, NONE});
    assertEquals(1, t.rank(0));
    assertEquals(-1, one(-1, false, t.items, t.scores).rank(0));
  }

  @Test
  void recommendationsDropARepeatedTargetAndStopAtPadding() {
    int[] items = new int[3];
    float[] scores = new float[3];
    TopLists rep = one(2, true, new int[] {1, 2, 3, 4}, new float[] {0.9f, 0.8f, 0.7f, 0.6f});
    assertEquals(3, rep.recommendations(0, 3, items, scores));
    assertArrayEquals(new int[] {1, 3, 4}, items);
    assertArrayEquals(new float[] {0.9f, 0.7f, 0.6f}, scores);
    TopLists fresh = one(2, false, new int[] {1, 2, 3, 4}, new float[] {0.9f, 0.8f, 0.7f, 0.6f});
    assertEquals(2, fresh.recommendations(0, 2, items, scores));
    assertArrayEquals(new int[] {1, 2}, Arrays.copyOf(items, 2));
    TopLists padded = one(-1, false, new int[] {5, -1, -1}, new float[] {0.1f, NONE, NONE});
    assertEquals(1, padded.recommendations(0, 3, items, scores));
    assertEquals(5, items[0]);
  }

  @Test
  void metricsFromRankCountsByKnownAnswer() {
    Map<Integer, Long> ranks = new LinkedHashMap<>();
    ranks.put(0, 2L); // two hits at the top: 1 each
    ranks.put(2, 1L); // 1/log2(4) = 0.5
    ranks.put(10, 1L); // beyond K = 10
    Map<String, Double> m = BatchRetrieval.metrics(ranks, 5, new int[] {10, 3});
    assertEquals(List.of("recall@3", "ndcg@3", "recall@10", "ndcg@10"), List.copyOf(m.keySet()));
    assertEquals(3 / 5.0, m.get("recall@10"), 0);
    assertEquals(2.5 / 5, m.get("ndcg@10"), 1e-15);
    assertEquals(3 / 5.0, m.get("recall@3"), 0);
    assertEquals(0.0, BatchRetrieval.metrics(Map.of(), 0, new int[] {5}).get("recall@5"), 0);
  }

  @Test
  void itemBlocksAreWholeScoringBlocks() {
    List<ItemBlock> blocks = ItemBlock.cut(5000, 2);
    assertEquals(List.of(new ItemBlock(0, 4096), new ItemBlock(4096, 904)), blocks);
    assertEquals(3, ItemBlock.cut(5000, 3).size());
    assertEquals(3, ItemBlock.cut(5000, 7).size());
    assertEquals(List.of(new ItemBlock(0, 10)), ItemBlock.cut(10, 4));
    assertEquals(List.of(new ItemBlock(0, 5000)), ItemBlock.cut(5000, 1));
    assertEquals(
        List.of(new ItemBlock(0, 2048), new ItemBlock(2048, 2048)), ItemBlock.cut(4096, 2));
    assertEquals(
        List.of(new ItemBlock(0, 2048), new ItemBlock(2048, 2048), new ItemBlock(4096, 1)),
        ItemBlock.cut(4097, 3));
  }

  @Test
  void catalogueIsBroadcastWhileItTakesAnEighthOfAnExecutor() {
    long gib = 1L << 30;
    assertEquals(1, BatchRetrieval.autoBlocks(gib / 8, gib));
    assertEquals(2, BatchRetrieval.autoBlocks(gib / 8 + 1, gib));
    assertEquals(10, BatchRetrieval.autoBlocks(5_000_000L * 64 * 4, gib));
    assertEquals(1, BatchRetrieval.autoBlocks(0, gib));
  }

  @Test
  void outputMayNotBeOrHoldTheInput() {
    assertTrue(SparkJobs.sameOrInside("/a/b", "/a/b/"));
    assertTrue(SparkJobs.sameOrInside("/a/b/c", "/a/b"));
    assertTrue(SparkJobs.sameOrInside("/a", "/a/b/u.data"));
    assertFalse(SparkJobs.sameOrInside("/a/bc", "/a/b"));
    assertFalse(SparkJobs.sameOrInside("/x/out", "/a/b"));
  }
}
