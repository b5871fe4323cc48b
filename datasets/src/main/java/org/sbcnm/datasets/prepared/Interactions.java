package org.sbcnm.datasets.prepared;

import java.util.Arrays;

/**
 * Interaction events as parallel arrays, in file order: user index, item index, rating (a float; 1
 * for implicit feedback) and timestamp (any increasing clock).
 */
public final class Interactions {
  private final int[] users;
  private final int[] items;
  private final float[] ratings;
  private final long[] timestamps;

  public Interactions(int[] users, int[] items, float[] ratings, long[] timestamps) {
    int n = users.length;
    if (items.length != n || ratings.length != n || timestamps.length != n) {
      throw new IllegalArgumentException("interactions: arrays differ in length");
    }
    this.users = users;
    this.items = items;
    this.ratings = ratings;
    this.timestamps = timestamps;
  }

  public int size() {
    return users.length;
  }

  public int user(int k) {
    return users[k];
  }

  public int item(int k) {
    return items[k];
  }

  public float rating(int k) {
    return ratings[k];
  }

  public long timestamp(int k) {
    return timestamps[k];
  }

  /** The user column (not a copy). */
  public int[] users() {
    return users;
  }

  /** The item column (not a copy). */
  public int[] items() {
    return items;
  }

  /** The rating column (not a copy). */
  public float[] ratings() {
    return ratings;
  }

  /** The timestamp column (not a copy). */
  public long[] timestamps() {
    return timestamps;
  }

  /** Interactions per item index, for popularity statistics. */
  public long[] itemCounts(int numItems) {
    long[] c = new long[numItems];
    for (int item : items) {
      c[item]++;
    }
    return c;
  }

  /** A copy restricted to the positions {@code keep[0, n)}. */
  public Interactions select(int[] keep, int n) {
    int[] u = new int[n];
    int[] i = new int[n];
    float[] r = new float[n];
    long[] t = new long[n];
    for (int k = 0; k < n; k++) {
      int p = keep[k];
      u[k] = users[p];
      i[k] = items[p];
      r[k] = ratings[p];
      t[k] = timestamps[p];
    }
    return new Interactions(u, i, r, t);
  }

  @Override
  public String toString() {
    return "Interactions("
        + size()
        + " events, first users "
        + Arrays.toString(Arrays.copyOf(users, Math.min(3, size())))
        + ")";
  }
}
