package org.sbcnm.training.sampling;

import org.sbcnm.engine.io.TensorBundle;

/**
 * The sampling probability pⱼ of each item, as used by the logQ correction sᶜᵢⱼ = sᵢⱼ − log pⱼ.
 *
 * <p><b>One unit for every source</b>: pⱼ is the probability that one batch slot holds item j (the
 * per-draw probability of the in-batch sampler), so Σⱼ pⱼ ≈ 1 and a batch of m slots holds item j
 * m·pⱼ times on average. Mixed negatives ({@link #logMixtureInPlace}) rely on it. <b>Floor</b>:
 * every source returns a finite log p̂ for every item: an item it has no evidence for gets the
 * probability of the rarest item it can tell (one occurrence among the slots seen for the
 * estimators, the smallest positive weight for static probabilities), so it is neither dropped from
 * the softmax nor, at serving time, boosted without bound.
 *
 * <p>{@link #observe} is called once per training batch, before the loss reads log p for the batch
 * (the estimate includes the current batch, as in the paper and the PyTorch reference).
 */
public interface SamplingProbabilities {
  /** Short name for logs and provenance: "streaming", "counts", "static". */
  String name();

  /**
   * Records the batch's items {@code items[0, n)} (item indices, in batch order) as one training
   * step, then writes log p̂ of each position to {@code logP[0, n)}. Modifies the state and logP.
   */
  void observe(int[] items, int n, float[] logP);

  /** log p̂ of one item under the current state, without updating it (for serving-time control). */
  double logProbability(int item);

  /** Writes the state into {@code bundle} under {@code prefix}. */
  void save(TensorBundle bundle, String prefix);

  /** Restores the state written by {@link #save} of an estimator with the same configuration. */
  void load(TensorBundle bundle, String prefix);

  /**
   * Mixed negative sampling (Yang et al., WWW 2020 companion): a batch of m in-batch slots drawn
   * from p and u extra slots drawn uniformly from the N items, so a column holds item j with the
   * mixture probability qⱼ = (m·pⱼ + u/N) / (m + u). Replaces log pⱼ by log qⱼ in {@code logP[0,
   * columns)} (modified).
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
