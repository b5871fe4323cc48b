package org.sbcnm.training.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.sbcnm.datasets.prepared.Interactions;
import org.sbcnm.datasets.split.HeldOutSplit;

class ExposureMetricsTest {
  @Test
  void giniKnownAnswers() {
    assertEquals(0.0, ExposureMetrics.gini(new long[] {3, 3, 3, 3}), 1e-12);
    // All exposure on one of four items: G = (n − 1)/n.
    assertEquals(0.75, ExposureMetrics.gini(new long[] {0, 0, 8, 0}), 1e-12);
    assertEquals(0.0, ExposureMetrics.gini(new long[] {0, 0}), 1e-12);
  }

  @Test
  void bucketsSplitInteractionsTwentySixtyTwenty() {
    // 100 interactions: item 0 has 20 (head), items 1..6 hold 60 (torso), items 7..9 the last 20
    // (tail).
    long[] counts = {20, 10, 10, 10, 10, 10, 10, 8, 7, 5};
    assertArrayEquals(new int[] {0, 1, 1, 1, 1, 1, 1, 2, 2, 2}, ExposureMetrics.buckets(counts));
  }

  @Test
  void coveragePopularityAndBucketRecall() {
    int[] top = {0, 1, 0, 2, -1, -1};
    Map<String, Double> m =
        ExposureMetrics.fromLists(top, 3, 2, new long[] {10, 4, 2, 0}, new int[] {1, 2});
    assertEquals(0.25, m.get("coverage@1"), 1e-12);
    assertEquals(0.75, m.get("coverage@2"), 1e-12);
    assertEquals((10 + 4 + 10 + 2) / 4.0, m.get("avg_popularity@2"), 1e-12);
    Interactions all =
        new Interactions(
            new int[] {0, 0, 1, 1, 2, 2},
            new int[] {0, 1, 0, 2, 0, 3},
            new float[] {1, 1, 1, 1, 1, 1},
            new long[] {1, 2, 1, 2, 1, 2});
    HeldOutSplit split = HeldOutSplit.of(all, 3);
    Map<String, Double> b =
        ExposureMetrics.bucketRecall(split, new int[] {0, 5, 0}, 4, new int[] {1});
    // Training counts: item 0 ×3 (head), the rest 0; held-out items 1, 2, 3 are all tail by share.
    assertEquals(2.0 / 3, b.get("recall@1_tail"), 1e-12);
  }
}
