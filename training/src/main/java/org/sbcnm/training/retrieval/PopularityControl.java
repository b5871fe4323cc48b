package org.sbcnm.training.retrieval;

import org.sbcnm.training.sampling.SamplingProbabilities;

/**
 * Serving-time popularity control, in the units of the training logit: the model trained on sᵢⱼ =
 * ⟨q, vⱼ⟩ / τ corrected by −log p̂ⱼ, so serving ranks by ⟨q, vⱼ⟩ / τ − β·log p̂ⱼ with p̂ the
 * trained model's sampling-probability estimate. β = 0 leaves the model as trained; β = 1 subtracts
 * exactly the training-time correction, pushing exposure from the head to the tail. The index
 * scores the cosine ⟨q, vⱼ⟩, so the additive term it takes is τ times that: −β·τ·log p̂ⱼ (the same
 * ranking, scores on the cosine's scale). Every source gives a finite log p̂ (its floor for items
 * it never saw).
 */
public final class PopularityControl {
  private PopularityControl() {}

  /**
   * The per-item additive terms −β·τ·log p̂ⱼ for items 0..n−1, to add to cosine scores.
   *
   * @param beta β ≥ 0, in units of the training logit
   * @param temperature the model's τ &gt; 0
   */
  public static float[] adjustment(
      SamplingProbabilities p, int numItems, double beta, double temperature) {
    if (!(beta >= 0) || Double.isInfinite(beta)) {
      throw new IllegalArgumentException("popularity beta must be finite and >= 0, got " + beta);
    }
    if (!(temperature > 0) || Double.isInfinite(temperature)) {
      throw new IllegalArgumentException("temperature must be finite and > 0, got " + temperature);
    }
    float[] a = new float[numItems];
    for (int j = 0; j < numItems; j++) {
      a[j] = (float) (-beta * temperature * p.logProbability(j));
    }
    return a;
  }
}
