package org.sbcnm.training.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.sbcnm.datasets.prepared.Interactions;
import org.sbcnm.datasets.split.HeldOutSplit;

/** The ranks of held-out items, against the definition walked item by item. */
class RankingTest {
  /**
   * The definition: other items scoring at least as high (ties count against), skipped ones left
   * out.
   */
  private static int naiveRank(
      float[] s, int row, int n, int target, int[] skip, int from, int to) {
    int rank = 0;
    for (int j = 0; j < n; j++) {
      boolean skipped = j != target && Arrays.binarySearch(skip, from, to, j) >= 0;
      float v = s[row + j];
      float ts = s[row + target];
      if (!skipped && j != target && v >= ts) {
        rank++;
      }
    }
    return rank;
  }

  @Test
  void blockCountsAddUpToTheRankOfTheDefinition() {
    SplittableRandom rng = new SplittableRandom(31);
    for (int n : new int[] {1, 2, 7, 8, 9, 17, 64, 100, 1001}) {
      int row = 5;
      float[] scores = new float[row + n + 3];
      for (int trial = 0; trial < 40; trial++) {
        // Quarters repeat, so ties with the target are common; a few NaN and infinities too.
        for (int j = 0; j < scores.length; j++) {
          scores[j] = (rng.nextInt(9) - 4) / 4f;
        }
        if (n > 4 && trial % 4 == 0) {
          scores[row + rng.nextInt(n)] = Float.NaN;
          scores[row + rng.nextInt(n)] = Float.POSITIVE_INFINITY;
          scores[row + rng.nextInt(n)] = Float.NEGATIVE_INFINITY;
        }
        int target = rng.nextInt(n);
        int[] skip = rng.ints(rng.nextInt(n + 1), 0, n).distinct().sorted().toArray();
        if (trial % 3 == 0 && skip.length > 0) {
          skip[0] = target; // the target among the skipped items is kept
          skip = Arrays.stream(skip).distinct().sorted().toArray();
        }
        int[] padded = new int[skip.length + 4];
        System.arraycopy(skip, 0, padded, 2, skip.length);
        int expected = naiveRank(scores, row, n, target, padded, 2, 2 + skip.length);
        // The row cut into blocks of a random size, as the ranking pass cuts the catalogue.
        int block = 1 + rng.nextInt(n);
        int rank = 0;
        float ts = scores[row + target];
        for (int base = 0; base < n; base += block) {
          int bn = Math.min(block, n - base);
          rank +=
              CatalogueRanking.beating(scores, row + base, bn, base, target, ts)
                  - CatalogueRanking.skippedBeating(
                      scores, row + base, bn, base, target, ts, padded, 2, 2 + skip.length);
        }
        assertEquals(expected, rank, "n=" + n + " trial " + trial + " block " + block);
      }
    }
  }

  @Test
  void usersAreOrderedByTheirTargetsBlockKeepingTheirOrderWithin() {
    int b = CatalogueRanking.ITEM_BLOCK;
    int[] targets = {3 * b + 1, 5, b, 2 * b - 1, 7, 3 * b, 0};
    assertArrayEquals(new int[] {1, 4, 6, 2, 3, 0, 5}, CatalogueRanking.byTargetBlock(targets));
    assertEquals(0, CatalogueRanking.byTargetBlock(new int[0]).length);
  }

  @Test
  void aFixedScoreRanksEveryUserAsTheDefinitionDoes() {
    // 40 users over 30 items; the last interaction of each is held out.
    SplittableRandom rng = new SplittableRandom(32);
    int users = 40;
    int items = 30;
    int count = 400;
    int[] u = new int[count];
    int[] i = new int[count];
    float[] rating = new float[count];
    long[] ts = new long[count];
    for (int k = 0; k < count; k++) {
      u[k] = k % users;
      i[k] = rng.nextInt(items);
      rating[k] = 1f;
      ts[k] = k;
    }
    HeldOutSplit split = HeldOutSplit.of(new Interactions(u, i, rating, ts), users);
    double[] score = new double[items];
    for (int j = 0; j < items; j++) {
      score[j] = rng.nextInt(5); // many ties
    }
    score[3] = -0.0;
    score[4] = 0.0;
    float[] asFloats = new float[items];
    for (int j = 0; j < items; j++) {
      asFloats[j] = (float) score[j];
    }
    int[] expected = new int[split.testUsers().length];
    for (int k = 0; k < expected.length; k++) {
      int user = split.testUsers()[k];
      expected[k] =
          naiveRank(
              asFloats,
              0,
              items,
              split.testItems()[k],
              split.userTrainItems(),
              split.userTrainPtr()[user],
              split.userTrainPtr()[user + 1]);
    }
    assertArrayEquals(expected, Baselines.ranksForScores(split, score));
    score[7] = Double.NaN;
    assertThrows(IllegalArgumentException.class, () -> Baselines.ranksForScores(split, score));
  }

  @Test
  void aConstantScorerRanksEveryTargetLast() {
    // 3 users over 6 items; user u trained on items u and u + 1, holds out item u + 2.
    int[] u = {0, 0, 0, 1, 1, 1, 2, 2, 2};
    int[] i = {0, 1, 2, 1, 2, 3, 2, 3, 4};
    long[] ts = {0, 1, 2, 0, 1, 2, 0, 1, 2};
    HeldOutSplit split = HeldOutSplit.of(new Interactions(u, i, new float[9], ts), 3);
    double[] constant = new double[6];
    // Six items, two excluded as training items: the target ties with the 3 others and is last.
    assertArrayEquals(new int[] {3, 3, 3}, Baselines.ranksForScores(split, constant));
    assertEquals(
        0.0, RetrievalMetrics.fromRanks(new int[] {3, 3, 3}, new int[] {3}).get("recall@3"));
    float[] same = new float[37];
    assertEquals(36, CatalogueRanking.beating(same, 0, 37, 0, 11, 0f));
    assertEquals(37, CatalogueRanking.beating(same, 0, 37, 100, 11, 0f), "target in another block");
    same[11] = Float.NaN;
    assertEquals(0, CatalogueRanking.beating(same, 0, 37, 0, 11, Float.NaN));
  }

  @Test
  void recallNdcgAndMrrHaveTheirKnownValues() {
    // Zero-based ranks of five held-out items; NDCG@K = mean of 1/log2(rank + 2) for rank < K.
    java.util.Map<String, Double> m =
        RetrievalMetrics.fromRanks(new int[] {0, 1, 4, 9, 100}, new int[] {10, 1, 5});
    assertEquals(0.2, m.get("recall@1"), 1e-12);
    assertEquals(0.2, m.get("ndcg@1"), 1e-12);
    assertEquals(0.6, m.get("recall@5"), 1e-12);
    assertEquals(0.40355651216119987, m.get("ndcg@5"), 1e-12);
    assertEquals(0.8, m.get("recall@10"), 1e-12);
    assertEquals(0.4613694774247774, m.get("ndcg@10"), 1e-12);
    assertEquals(0.36198019801980197, m.get("mrr"), 1e-12);
  }
}
