package org.sbcnm.training.eval;

import org.sbcnm.engine.kernel.Kernels;
import org.sbcnm.training.loop.MemoryBudget;

/**
 * A fitted item-item model: a dense weight matrix W ([items, items], float) and the users' items,
 * scoring as score(u, ·) = X_u · W, the sum of W's rows of the user's items ({@link Ease}, {@link
 * ItemKnn}).
 */
public final class ItemItemWeights implements UserScorer {
  private final int numItems;
  private final float[] weights;
  private final int[] ptr;
  private final int[] items;

  /**
   * @param weights W, row-major [numItems, numItems] (kept, not copied)
   * @param ptr user u holds {@code items[ptr[u], ptr[u + 1])}
   */
  ItemItemWeights(int numItems, float[] weights, int[] ptr, int[] items) {
    this.numItems = numItems;
    this.weights = weights;
    this.ptr = ptr;
    this.items = items;
  }

  /**
   * Refuses a catalogue whose fit's item-item matrices (the Gram matrix in double, W in float)
   * would exceed 3/4 of the heap, naming {@code model}.
   */
  static void requireMemory(String model, int numItems) {
    MemoryBudget.require(
        (long) numItems * numItems * 12,
        model
            + "'s item-item matrices for "
            + numItems
            + " items ("
            + numItems
            + " x "
            + numItems
            + " in double and in float)");
  }

  /** W_ij: how much item i's presence adds to item j's score. */
  public double weight(int i, int j) {
    return weights[i * numItems + j];
  }

  @Override
  public void scores(int user, float[] out) {
    java.util.Arrays.fill(out, 0, numItems, 0f);
    for (int p = ptr[user]; p < ptr[user + 1]; p++) {
      Kernels.axpy(1f, weights, items[p] * numItems, out, 0, numItems);
    }
  }
}
