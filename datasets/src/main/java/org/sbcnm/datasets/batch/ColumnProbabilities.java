package org.sbcnm.datasets.batch;

/**
 * Where the log q of a batch's columns comes from: the probability p̂ⱼ that one batch slot holds
 * item j, estimated as the batches go by (the training module's sampling-probability sources).
 *
 * <p>Mixed negative sampling (Yang et al., WWW 2020 companion) adds u slots drawn uniformly from
 * the N items to m in-batch slots drawn from p, so a column holds item j with the mixture
 * probability qⱼ = (m·pⱼ + u/N) / (m + u) ({@link #logMixtureInPlace}); this needs p̂ in the
 * per-slot unit.
 */
public interface ColumnProbabilities {
  /**
   * Records the batch's items {@code items[0, n)} (item indices, in batch order) as one training
   * step, then writes log p̂ of each position to {@code logP[0, n)}. Modifies the state and logP.
   */
  void observe(int[] items, int n, float[] logP);

  /** log p̂ of one item under the current state, without updating it. */
  double logProbability(int item);

  /**
   * Replaces log pⱼ by the mixture's log qⱼ = log((m·pⱼ + u/N) / (m + u)) in {@code logP[0,
   * columns)} (modified); nothing changes when u = 0.
   */
  static void logMixtureInPlace(float[] logP, int columns, int m, int u, int numItems) {
    if (u == 0) {
      return;
    }
    for (int c = 0; c < columns; c++) {
      logP[c] = logMixture(logP[c], m, u, numItems);
    }
  }

  /** log qⱼ = log((m·pⱼ + u/N) / (m + u)) for one item with log pⱼ = {@code logP}. */
  static float logMixture(double logP, int m, int u, int numItems) {
    return (float) Math.log((m * Math.exp(logP) + (double) u / numItems) / (m + u));
  }
}
