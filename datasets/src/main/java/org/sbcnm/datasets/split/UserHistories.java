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

  /**
   * The histories of {@code train} where each user's items also include their {@code earlier} ones
   * (an earlier period's, all before any of train's in time): a training example's bag then reaches
   * back into them, and a user's full bag holds both.
   */
  public static UserHistories of(Interactions earlier, Interactions train, int numUsers) {
    int e = earlier.size();
    int n = e + train.size();
    int[] users = new int[n];
    int[] items = new int[n];
    float[] ratings = new float[n];
    long[] times = new long[n];
    for (int k = 0; k < n; k++) {
      Interactions from = k < e ? earlier : train;
      int at = k < e ? k : k - e;
      users[k] = from.user(at);
      items[k] = from.item(at);
      times[k] = from.timestamp(at);
    }
    UserHistories all = of(new Interactions(users, items, ratings, times), numUsers);
    return new UserHistories(all.ptr, all.items, java.util.Arrays.copyOfRange(all.position, e, n));
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

  /**
   * The bags of n training examples {@code examples[from, from + n)} of users {@code users[0, n)}
   * (each at most maxLength long): bag r is {@code items[offsets[r] .. offsets[r + 1])}. Fills
   * offsets[0, n] and items (modified; items needs room for n·maxLength); returns the items
   * written.
   */
  public int trainingBags(
      int[] examples, int from, int[] users, int n, int maxLength, int[] offsets, int[] items) {
    offsets[0] = 0;
    for (int r = 0; r < n; r++) {
      offsets[r + 1] =
          offsets[r] + trainingBag(examples[from + r], users[r], maxLength, items, offsets[r]);
    }
    return offsets[n];
  }

  /**
   * The full bags of users {@code users[off, off + n)}, as {@link #trainingBags} lays them out; for
   * queries at evaluation and serving time.
   */
  public int fullBags(int[] users, int off, int n, int maxLength, int[] offsets, int[] items) {
    offsets[0] = 0;
    for (int r = 0; r < n; r++) {
      offsets[r + 1] = offsets[r] + fullBag(users[off + r], maxLength, items, offsets[r]);
    }
    return offsets[n];
  }

  private int copy(int from, int to, int[] out, int off) {
    System.arraycopy(items, from, out, off, to - from);
    return to - from;
  }
}
