package org.sbcnm.training.eval;

import it.unimi.dsi.fastutil.ints.IntArrays;
import java.util.SplittableRandom;
import org.sbcnm.datasets.split.HeldOutSplit;
import org.sbcnm.engine.kernel.Kernels;

/**
 * Non-learned rankings under the same protocol as {@link RetrievalMetrics}: items ordered by
 * training popularity (most interactions first, ties by index), and a seeded random order.
 */
public final class Baselines {
  private Baselines() {}

  /** Ranks of the held-out items when every user gets the catalogue sorted by training count. */
  public static int[] popularityRanks(HeldOutSplit split, int numItems) {
    return ranksForScores(split, popularity(split, numItems));
  }

  /**
   * Top-{@code k} lists of the popularity baseline for every test user ([users · k], −1 padded).
   */
  public static int[] popularityLists(HeldOutSplit split, int numItems, int k) {
    int[] order = byScore(popularity(split, numItems));
    int[] users = split.testUsers();
    int[] ptr = split.userTrainPtr();
    int[] seen = split.userTrainItems();
    int[] out = new int[users.length * k];
    java.util.Arrays.fill(out, -1);
    for (int t = 0; t < users.length; t++) {
      int u = users[t];
      int w = 0;
      for (int r = 0; r < numItems && w < k; r++) {
        int j = order[r];
        if (java.util.Arrays.binarySearch(seen, ptr[u], ptr[u + 1], j) < 0) {
          out[t * k + w++] = j;
        }
      }
    }
    return out;
  }

  /** Each item's training count, as a score. */
  private static double[] popularity(HeldOutSplit split, int numItems) {
    long[] count = split.train().itemCounts(numItems);
    double[] score = new double[numItems];
    for (int j = 0; j < numItems; j++) {
      score[j] = count[j];
    }
    return score;
  }

  /** Items by score descending, ties by index (scores not NaN). */
  private static int[] byScore(double[] score) {
    int[] order = new int[score.length];
    for (int j = 0; j < order.length; j++) {
      order[j] = j;
    }
    IntArrays.quickSort(
        order,
        (a, b) ->
            score[a] != score[b] ? Double.compare(score[b], score[a]) : Integer.compare(a, b));
    return order;
  }

  /** Ranks under one random permutation per user, seeded. */
  public static int[] randomRanks(HeldOutSplit split, int numItems, long seed) {
    int[] users = split.testUsers();
    int[] ptr = split.userTrainPtr();
    int[] ranks = new int[users.length];
    SplittableRandom rng = new SplittableRandom(seed);
    for (int k = 0; k < users.length; k++) {
      int u = users[k];
      int candidates = numItems - (ptr[u + 1] - ptr[u]);
      // The target is one of the candidates (itself excluded from the training set's exclusion).
      if (java.util.Arrays.binarySearch(
              split.userTrainItems(), ptr[u], ptr[u + 1], split.testItems()[k])
          >= 0) {
        candidates++;
      }
      ranks[k] = rng.nextInt(Math.max(1, candidates));
    }
    return ranks;
  }

  /**
   * Ranks for a fixed per-item score (same for every user, none NaN), training items excluded, ties
   * counted against the target (as {@link RetrievalMetrics} does). The catalogue is sorted once
   * (score descending), so a user costs one lookup plus one per training item.
   */
  public static int[] ranksForScores(HeldOutSplit split, double[] score) {
    for (int j = 0; j < score.length; j++) {
      if (Double.isNaN(score[j])) {
        throw new IllegalArgumentException("baseline score of item " + j + " is NaN");
      }
    }
    int[] order = byScore(score);
    // atLeast[j]: how many items score at least score[j], j itself included.
    int[] atLeast = new int[score.length];
    for (int p = order.length - 1; p >= 0; p--) {
      boolean tiesNext = p + 1 < order.length && score[order[p + 1]] == score[order[p]];
      atLeast[order[p]] = tiesNext ? atLeast[order[p + 1]] : p + 1;
    }
    int[] users = split.testUsers();
    int[] targets = split.testItems();
    int[] ptr = split.userTrainPtr();
    int[] train = split.userTrainItems();
    int[] ranks = new int[users.length];
    for (int k = 0; k < users.length; k++) {
      int u = users[k];
      int t = targets[k];
      int rank = atLeast[t] - 1;
      for (int p = ptr[u]; p < ptr[u + 1]; p++) {
        if (train[p] != t && score[train[p]] >= score[t]) {
          rank--;
        }
      }
      ranks[k] = rank;
    }
    return ranks;
  }

  /** Test users per task of {@link #ranksForUserScores}. */
  private static final int USER_CHUNK = 64;

  /**
   * Ranks of the held-out items under per-user scores (a fitted personalised baseline), with the
   * protocol of {@link RetrievalMetrics}: the user's training items are left out, ties count
   * against the target, a NaN target ranks last. Users are scored in parallel, each task with its
   * own row, so the ranks do not depend on the thread count.
   */
  public static int[] ranksForUserScores(HeldOutSplit split, int numItems, UserScorer scorer) {
    int[] users = split.testUsers();
    int[] targets = split.testItems();
    int[] ptr = split.userTrainPtr();
    int[] train = split.userTrainItems();
    int[] ranks = new int[users.length];
    Kernels.parallelFor(
        (users.length + USER_CHUNK - 1) / USER_CHUNK,
        chunk -> {
          float[] row = new float[numItems];
          int end = Math.min(users.length, (chunk + 1) * USER_CHUNK);
          for (int k = chunk * USER_CHUNK; k < end; k++) {
            int u = users[k];
            scorer.scores(u, row);
            ranks[k] = rankOf(row, numItems, targets[k], train, ptr[u], ptr[u + 1]);
          }
        });
    return ranks;
  }

  /**
   * The 0-based rank of {@code target} among the items of {@code row} other than the training items
   * {@code train[from, to)}: how many of the others score at least as high.
   */
  static int rankOf(float[] row, int numItems, int target, int[] train, int from, int to) {
    float ts = row[target];
    int candidates = numItems - 1;
    int beating = 0;
    for (int j = 0; j < numItems; j++) {
      if (j != target && row[j] >= ts) {
        beating++;
      }
    }
    for (int p = from; p < to; p++) {
      int j = train[p];
      if (j != target) {
        candidates--;
        if (row[j] >= ts) {
          beating--;
        }
      }
    }
    return Float.isNaN(ts) ? candidates : beating;
  }
}
