package org.sbcnm.towers.tower;

import java.util.Arrays;

/**
 * One batch of tower inputs, reused from step to step: the entity indices, and for history towers
 * each row's bag of earlier items ({@code bagIds[bagOffsets[r] .. bagOffsets[r+1])}).
 */
public final class TowerBatch {
  private int size;
  private int[] ids = new int[0];
  private int[] bagOffsets = new int[1];
  private int[] bagIds = new int[0];

  /** Sets the batch to {@code ids[off, off+n)} (copied into the reused buffer); clears the bags. */
  public TowerBatch set(int[] source, int off, int n) {
    if (ids.length < n) {
      ids = new int[n];
      bagOffsets = new int[n + 1];
    }
    System.arraycopy(source, off, ids, 0, n);
    size = n;
    Arrays.fill(bagOffsets, 0, n + 1, 0);
    return this;
  }

  /** Sets every row's bag; {@code offsets} has size + 1 entries. Copies both arrays. */
  public TowerBatch setBags(int[] offsets, int[] items) {
    int total = offsets[size];
    if (bagIds.length < total) {
      bagIds = new int[Math.max(total, 2 * bagIds.length)];
    }
    System.arraycopy(offsets, 0, bagOffsets, 0, size + 1);
    System.arraycopy(items, 0, bagIds, 0, total);
    return this;
  }

  /** Number of rows. */
  public int size() {
    return size;
  }

  /** Entity indices, first {@link #size()} entries. */
  public int[] ids() {
    return ids;
  }

  public int[] bagOffsets() {
    return bagOffsets;
  }

  public int[] bagIds() {
    return bagIds;
  }

  /**
   * Buffer for writing bags in place: ensures room for {@code total} bag items and returns the
   * array.
   */
  public int[] bagIdsBuffer(int total) {
    if (bagIds.length < total) {
      bagIds = new int[Math.max(total, 2 * bagIds.length)];
    }
    return bagIds;
  }
}
