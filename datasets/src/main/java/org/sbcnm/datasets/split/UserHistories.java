package org.sbcnm.datasets.split;

import org.sbcnm.datasets.prepared.Interactions;

/**
 * Each user's training items in time order (ties by line order), for history (bag-of-items) towers:
 * the bag of a training example holds the user's items strictly before it, the bag of a test user
 * all of its training items, both truncated to the most recent {@code maxLength}.
 */
public final class UserHistories {
  private final int[] ptr;
  private final int[] items;
  private final int[] position;

  private UserHistories(int[] ptr, int[] items, int[] position) {
    this.ptr = ptr;
    this.items = items;
    this.position = position;
  }

  public static UserHistories of(Interactions train, int numUsers) {
    int n = train.size();
    Integer[] order = new Integer[n];
    for (int k = 0; k < n; k++) {
      order[k] = k;
    }
    java.util.Arrays.sort(
        order,
        (a, b) -> {
          int c = Integer.compare(train.user(a), train.user(b));
          if (c != 0) {
            return c;
          }
          c = Long.compare(train.timestamp(a), train.timestamp(b));
          return c != 0 ? c : Integer.compare(a, b);
        });
    int[] ptr = new int[numUsers + 1];
    for (int k = 0; k < n; k++) {
      ptr[train.user(k) + 1]++;
    }
    for (int u = 0; u < numUsers; u++) {
      ptr[u + 1] += ptr[u];
    }
    int[] items = new int[n];
    int[] position = new int[n];
    for (int r = 0; r < n; r++) {
      int k = order[r];
      items[r] = train.item(k);
      position[k] = r - ptr[train.user(k)];
    }
    return new UserHistories(ptr, items, position);
  }

  /**
   * Writes the bag of training example k (user u) — the user's items before it, at most maxLength
   * most recent — into {@code out} from {@code off}; returns its length.
   */
  public int trainingBag(int k, int user, int maxLength, int[] out, int off) {
    int end = ptr[user] + position[k];
    return copy(Math.max(ptr[user], end - maxLength), end, out, off);
  }

  /** Writes a user's most recent maxLength training items into {@code out}; returns the count. */
  public int fullBag(int user, int maxLength, int[] out, int off) {
    int end = ptr[user + 1];
    return copy(Math.max(ptr[user], end - maxLength), end, out, off);
  }

  private int copy(int from, int to, int[] out, int off) {
    System.arraycopy(items, from, out, off, to - from);
    return to - from;
  }
}
