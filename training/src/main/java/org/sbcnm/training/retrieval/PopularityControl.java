package org.sbcnm.training.retrieval;

import org.sbcnm.training.sampling.SamplingProbabilities;

/**
 * Serving-time popularity control: scores become ⟨q, vⱼ⟩ − β·log p̂ⱼ, with p̂ the trained model's
 * sampling-probability estimate. β = 0 leaves the model as trained; β = 1 applies the full logQ
 * correction at inference too, pushing exposure from the head to the tail. Items the estimator
 * never saw get the least popular seen item's log p̂.
 */
public final class PopularityControl {
  private PopularityControl() {}

  /** The per-item additive terms −β·log p̂ⱼ for items 0..n−1. */
  public static float[] adjustment(SamplingProbabilities p, int numItems, double beta) {
    if (!(beta >= 0 && beta <= 1)) {
      throw new IllegalArgumentException("popularity beta must be in [0, 1], got " + beta);
    }
    double[] logP = new double[numItems];
    double floor = 0;
    for (int j = 0; j < numItems; j++) {
      logP[j] = p.logProbability(j);
      if (Double.isFinite(logP[j])) {
        floor = Math.min(floor, logP[j]);
      }
    }
    float[] a = new float[numItems];
    for (int j = 0; j < numItems; j++) {
      double l = Double.isFinite(logP[j]) ? logP[j] : floor;
      a[j] = (float) (-beta * l);
    }
    return a;
  }
}
