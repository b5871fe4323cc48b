package org.sbcnm.training.sampling;

import org.sbcnm.datasets.batch.ColumnProbabilities;
import org.sbcnm.engine.io.TensorBundle;

/**
 * The sampling probability pⱼ of each item, as used by the logQ correction sᶜᵢⱼ = sᵢⱼ − log pⱼ.
 *
 * <p><b>One unit for every source</b>: pⱼ is the probability that one batch slot holds item j (the
 * per-draw probability of the in-batch sampler), so Σⱼ pⱼ ≈ 1 and a batch of m slots holds item j
 * m·pⱼ times on average. Mixed negatives ({@link ColumnProbabilities#logMixtureInPlace}) rely on
 * it. <b>Floor</b>: every source returns a finite log p̂ for every item: an item it has no evidence
 * for gets the probability of the rarest item it can tell (one occurrence among the slots seen for
 * the estimators, the smallest positive weight for static probabilities), so it is neither dropped
 * from the softmax nor, at serving time, boosted without bound.
 *
 * <p>{@link #observe} is called once per training batch, before the loss reads log p for the batch
 * (the estimate includes the current batch, as in the paper and the PyTorch reference).
 */
public interface SamplingProbabilities extends ColumnProbabilities {
  /** Short name for logs and provenance: "streaming", "counts", "static". */
  String name();

  /** Writes the state into {@code bundle} under {@code prefix}. */
  void save(TensorBundle bundle, String prefix);

  /** Restores the state written by {@link #save} of an estimator with the same configuration. */
  void load(TensorBundle bundle, String prefix);

  /**
   * This state carried to another catalogue, for a warm start on new data: item j of the new
   * catalogue gets what this source knows of item {@code oldIndex[j]}, and an item it never knew
   * ({@code oldIndex[j] = -1}) starts as unseen; the clock (steps and slots seen) goes on. This
   * source is left unchanged.
   *
   * @throws UnsupportedOperationException for a source whose values come from outside (static)
   */
  SamplingProbabilities carriedTo(int[] oldIndex);
}
