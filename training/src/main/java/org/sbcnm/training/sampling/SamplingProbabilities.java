package org.sbcnm.training.sampling;

import org.sbcnm.engine.io.TensorBundle;

/**
 * The sampling probability pⱼ of each item, as used by the logQ correction sᶜᵢⱼ = sᵢⱼ − log pⱼ.
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
}
