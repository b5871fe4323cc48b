package org.sbcnm.spark;

import java.io.Serializable;

/**
 * The top lists of one chunk of users: {@code length} entries per user, sorted by score, then by
 * item index (the exact index's order), padded with index −1 and score −∞. Partial lists, one per
 * block of items, merge into the lists of the whole catalogue, and a list gives the 0-based rank of
 * the user's held-out item exactly as {@code eval} counts it (the items scoring at least as high,
 * ties against the model) while that rank is below {@code length − 1}.
 */
final class TopLists implements Serializable {
  private static final long serialVersionUID = 1L;

  /** Users of the chunk, by index. */
  final int[] users;

  /** Each user's held-out item, or −1 for a user without one. */
  final int[] targets;

  /**
   * Whether the held-out item is also one of the user's training items (a repeated interaction): it
   * is ranked, but not recommended.
   */
  final boolean[] repeated;

  final int length;
  final int[] items;
  final float[] scores;

  TopLists(
      int[] users, int[] targets, boolean[] repeated, int length, int[] items, float[] scores) {
    this.users = users;
    this.targets = targets;
    this.repeated = repeated;
    this.length = length;
    this.items = items;
    this.scores = scores;
  }

  int size() {
    return users.length;
  }

  /** Whether (s1, i1) comes before (s2, i2): a higher score, then a lower index; padding last. */
  static boolean before(float s1, int i1, float s2, int i2) {
    if (i2 < 0) {
      return i1 >= 0;
    }
    if (i1 < 0) {
      return false;
    }
    return s1 > s2 || (s1 == s2 && i1 < i2);
  }

  /** The lists of the same users over both catalogues' parts: each user's best {@code length}. */
  TopLists merge(TopLists other) {
    if (other.size() != size() || other.length != length) {
      throw new IllegalArgumentException(
          "merge: lists of "
              + size()
              + " users x "
              + length
              + " and "
              + other.size()
              + " x "
              + other.length);
    }
    int[] mi = new int[items.length];
    float[] ms = new float[scores.length];
    for (int r = 0; r < size(); r++) {
      int a = r * length;
      int b = r * length;
      // Neither list runs out: the row takes `length` entries, so `a` (or `b`) reaches the row's
      // end only on the row's last step.
      for (int o = r * length; o < (r + 1) * length; o++) {
        if (before(scores[a], items[a], other.scores[b], other.items[b])) {
          mi[o] = items[a];
          ms[o] = scores[a++];
        } else {
          mi[o] = other.items[b];
          ms[o] = other.scores[b++];
        }
      }
    }
    return new TopLists(users, targets, repeated, length, mi, ms);
  }

  /**
   * The 0-based rank of user r's held-out item: how many listed items other than it score at least
   * as high. Exact below {@code length − 1}; {@code length − 1} means that rank or worse. −1 for a
   * user without a held-out item.
   */
  int rank(int r) {
    int target = targets[r];
    if (target < 0) {
      return -1;
    }
    int off = r * length;
    int p = -1;
    for (int j = 0; j < length; j++) {
      if (items[off + j] == target) {
        p = j;
        break;
      }
    }
    if (p < 0) {
      return length - 1;
    }
    float ts = scores[off + p];
    int beating = 0;
    for (int j = 0; j < length; j++) {
      if (j != p && items[off + j] >= 0 && scores[off + j] >= ts) {
        beating++;
      }
    }
    return beating;
  }

  /**
   * User r's first {@code k} recommendations (fewer when the catalogue runs out): the list without
   * the held-out item when that is a training item too. Writes {@code outItems}/{@code
   * outScores}[0, n) and returns n.
   */
  int recommendations(int r, int k, int[] outItems, float[] outScores) {
    int n = 0;
    int skip = repeated[r] ? targets[r] : -1;
    for (int j = r * length; j < (r + 1) * length && n < k; j++) {
      if (items[j] < 0) {
        break;
      }
      if (items[j] != skip) {
        outItems[n] = items[j];
        outScores[n++] = scores[j];
      }
    }
    return n;
  }
}
