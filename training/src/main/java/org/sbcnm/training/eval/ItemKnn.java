package org.sbcnm.training.eval;

import org.sbcnm.engine.kernel.TopK;

/**
 * Item-based k-nearest-neighbour collaborative filtering with cosine similarity (Sarwar et al., WWW
 * 2001; as tuned by Dacrema et al., RecSys 2019).
 *
 * <pre>
 *   sim(i, j) = |U_i ∩ U_j| / √(|U_i|·|U_j|)     (U_i: the users of item i; 0 for an item with none)
 *   W_ij = sim(i, j) for the k items i most similar to j (i ≠ j), else 0
 *   score(u, j) = Σ_{i ∈ items of u} W_ij
 * </pre>
 *
 * W is kept dense in float, [items, items]; neighbours tie by index. Deterministic.
 */
public final class ItemKnn {
  private ItemKnn() {}

  /**
   * Fits on the binary matrix whose user u holds {@code items[ptr[u], ptr[u + 1])} (sorted,
   * distinct), keeping {@code k} neighbours per item.
   */
  public static ItemItemWeights fit(int[] ptr, int[] items, int numItems, int k) {
    if (k < 1 || k > TopK.MAX_K) {
      throw new IllegalArgumentException(
          "item-kNN: k must be in [1, " + TopK.MAX_K + "], got " + k);
    }
    ItemItemWeights.requireMemory("item-kNN", numItems);
    double[] g = Ease.gram(ptr, items, numItems);
    float[] w = new float[numItems * numItems];
    float[] row = new float[numItems];
    int kk = Math.min(k, Math.max(1, numItems - 1));
    int[] idx = new int[kk];
    float[] vals = new float[kk];
    for (int j = 0; j < numItems; j++) {
      double cj = g[j * numItems + j];
      for (int i = 0; i < numItems; i++) {
        double den = Math.sqrt(cj * g[i * numItems + i]);
        row[i] = den > 0 ? (float) (g[j * numItems + i] / den) : 0f;
      }
      row[j] = Float.NEGATIVE_INFINITY;
      int found = TopK.select(row, 0, numItems, kk, idx, 0, vals, 0);
      for (int r = 0; r < found; r++) {
        if (vals[r] > 0) {
          w[idx[r] * numItems + j] = vals[r];
        }
      }
    }
    return new ItemItemWeights(numItems, w, ptr, items);
  }
}
