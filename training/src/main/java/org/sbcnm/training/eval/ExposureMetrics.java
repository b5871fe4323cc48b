package org.sbcnm.training.eval;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.sbcnm.datasets.split.HeldOutSplit;

/**
 * What the sampling-bias correction changes beyond accuracy, for K in the cut-offs:
 *
 * <ul>
 *   <li>{@code coverage@K}: share of the catalogue appearing in at least one user's top-K;
 *   <li>{@code avg_popularity@K}: mean training interactions of the recommended items;
 *   <li>{@code gini@K}: Gini coefficient of item exposure (times recommended) over the catalogue, 0
 *       = equal exposure, → 1 = all exposure on few items;
 *   <li>{@code recall@K_head / _torso / _tail}: Recall@K of the test cases whose held-out item is
 *       in the head (the most popular items holding 20% of training interactions), the tail (the
 *       least popular holding 20%) or the torso between.
 * </ul>
 */
public final class ExposureMetrics {
  private ExposureMetrics() {}

  /** Popularity bucket of every item: 0 head, 1 torso, 2 tail (by training interactions). */
  public static int[] buckets(long[] counts) {
    int n = counts.length;
    Integer[] order = new Integer[n];
    long total = 0;
    for (int i = 0; i < n; i++) {
      order[i] = i;
      total += counts[i];
    }
    Arrays.sort(
        order,
        (a, b) ->
            counts[a] != counts[b] ? Long.compare(counts[b], counts[a]) : Integer.compare(a, b));
    int[] bucket = new int[n];
    long acc = 0;
    for (Integer i : order) {
      // Head until 20% of interactions are covered; tail once 80% are.
      bucket[i] = acc < 0.2 * total ? 0 : acc < 0.8 * total ? 1 : 2;
      acc += counts[i];
    }
    return bucket;
  }

  /** Recall@K per popularity bucket, from the ranks of {@link RetrievalMetrics#ranks}. */
  public static Map<String, Double> bucketRecall(
      HeldOutSplit split, int[] ranks, int numItems, int[] ks) {
    int[] bucket = buckets(split.train().itemCounts(numItems));
    String[] names = {"head", "torso", "tail"};
    Map<String, Double> out = new LinkedHashMap<>();
    for (int k : ks) {
      double[] hits = new double[3];
      double[] cases = new double[3];
      for (int t = 0; t < ranks.length; t++) {
        int b = bucket[split.testItems()[t]];
        cases[b]++;
        if (ranks[t] < k) {
          hits[b]++;
        }
      }
      for (int b = 0; b < 3; b++) {
        out.put("recall@" + k + "_" + names[b], cases[b] == 0 ? Double.NaN : hits[b] / cases[b]);
      }
    }
    return out;
  }

  /** The length of the top lists that {@link #fromLists} needs for {@code ks}. */
  public static int listLength(int[] ks, int numItems) {
    return Math.min(Arrays.stream(ks).max().orElseThrow(), numItems);
  }

  /** The exposure metrics of given top lists ([users · kMax], −1 padded). */
  public static Map<String, Double> fromLists(
      int[] top, int users, int kMax, long[] counts, int[] ks) {
    Map<String, Double> out = new LinkedHashMap<>();
    int n = counts.length;
    for (int k : ks) {
      int kk = Math.min(k, kMax);
      long[] exposure = new long[n];
      double pop = 0;
      long shown = 0;
      for (int u = 0; u < users; u++) {
        for (int j = 0; j < kk; j++) {
          int item = top[u * kMax + j];
          if (item >= 0) {
            exposure[item]++;
            pop += counts[item];
            shown++;
          }
        }
      }
      int covered = 0;
      for (long e : exposure) {
        if (e > 0) {
          covered++;
        }
      }
      out.put("coverage@" + k, covered / (double) n);
      out.put("avg_popularity@" + k, shown == 0 ? 0 : pop / shown);
      out.put("gini@" + k, gini(exposure));
    }
    return out;
  }

  static double gini(long[] x) {
    long[] s = x.clone();
    Arrays.sort(s);
    int n = s.length;
    double num = 0;
    double total = 0;
    for (int i = 0; i < n; i++) {
      num += (2.0 * (i + 1) - n - 1) * s[i];
      total += s[i];
    }
    return total == 0 ? 0 : num / (n * total);
  }
}
