package org.sbcnm.training.eval;

/**
 * EASE (Steck, "Embarrassingly Shallow Autoencoders for Sparse Data", WWW 2019): an item-item
 * weight matrix with a zero diagonal, in closed form.
 *
 * <pre>
 *   G = XᵀX + λI        (X: users × items, 1 where the user has the item)
 *   P = G⁻¹,  B_ij = −P_ij / P_jj,  B_jj = 0
 *   score(u, ·) = X_u · B          (the sum of B's rows of the user's items)
 * </pre>
 *
 * G is inverted in double; B is kept in float, [items, items]. Deterministic: no randomness.
 */
public final class Ease {
  private Ease() {}

  /**
   * Fits EASE with regularisation λ on the binary matrix whose user u holds {@code items[ptr[u],
   * ptr[u + 1])} (sorted, distinct).
   *
   * @throws IllegalArgumentException when the item-item matrices would not fit 3/4 of the heap
   */
  public static ItemItemWeights fit(int[] ptr, int[] items, int numItems, double lambda) {
    if (!(lambda > 0) || Double.isInfinite(lambda)) {
      throw new IllegalArgumentException("EASE: λ must be finite and > 0, got " + lambda);
    }
    requireMemory(numItems);
    double[] g = gram(ptr, items, numItems);
    for (int j = 0; j < numItems; j++) {
      g[j * numItems + j] += lambda;
    }
    SymmetricInverse.invertInPlace(g, numItems);
    float[] b = new float[numItems * numItems];
    for (int i = 0; i < numItems; i++) {
      for (int j = 0; j < numItems; j++) {
        b[i * numItems + j] = i == j ? 0f : (float) (-g[i * numItems + j] / g[j * numItems + j]);
      }
    }
    return new ItemItemWeights(numItems, b, ptr, items);
  }

  /** Refuses a catalogue whose item-item matrices (double G, float B) exceed 3/4 of the heap. */
  static void requireMemory(int numItems) {
    ItemItemWeights.requireMemory("EASE", numItems);
  }

  /** XᵀX: co-occurrence counts of item pairs over users (the diagonal: each item's users). */
  static double[] gram(int[] ptr, int[] items, int numItems) {
    double[] g = new double[numItems * numItems];
    for (int u = 0; u + 1 < ptr.length; u++) {
      for (int p = ptr[u]; p < ptr[u + 1]; p++) {
        int row = items[p] * numItems;
        for (int q = ptr[u]; q < ptr[u + 1]; q++) {
          g[row + items[q]] += 1;
        }
      }
    }
    return g;
  }
}
