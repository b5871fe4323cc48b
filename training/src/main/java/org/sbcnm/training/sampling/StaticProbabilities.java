package org.sbcnm.training.sampling;

import org.sbcnm.engine.io.TensorBundle;

/**
 * Fixed sampling probabilities given by the user (e.g. from a file of item frequencies): p̂ⱼ is
 * {@code p[j]} normalised to sum to 1; batches do not change it. An item of weight 0 gets the
 * smallest positive weight's probability (the floor of {@link SamplingProbabilities}).
 */
public final class StaticProbabilities implements SamplingProbabilities {
  private final double[] logP;

  /**
   * @param p non-negative weights per item index, at least one positive (not modified)
   */
  public StaticProbabilities(double[] p) {
    double sum = 0;
    double smallest = Double.POSITIVE_INFINITY;
    for (int j = 0; j < p.length; j++) {
      if (!(p[j] >= 0) || Double.isInfinite(p[j])) {
        throw new IllegalArgumentException(
            "static probabilities: item " + j + " has weight " + p[j]);
      }
      sum += p[j];
      if (p[j] > 0) {
        smallest = Math.min(smallest, p[j]);
      }
    }
    if (!(sum > 0)) {
      throw new IllegalArgumentException("static probabilities: weights sum to " + sum);
    }
    logP = new double[p.length];
    for (int j = 0; j < p.length; j++) {
      logP[j] = Math.log((p[j] > 0 ? p[j] : smallest) / sum);
    }
  }

  @Override
  public String name() {
    return "static";
  }

  @Override
  public void observe(int[] items, int n, float[] out) {
    for (int i = 0; i < n; i++) {
      out[i] = (float) logP[items[i]];
    }
  }

  @Override
  public double logProbability(int item) {
    return logP[item];
  }

  @Override
  public void save(TensorBundle bundle, String prefix) {
    bundle.meta(prefix + "kind", name());
    bundle.putDoubles(prefix + "logP", logP);
  }

  @Override
  public void load(TensorBundle bundle, String prefix) {
    double[] saved = bundle.doubles(prefix + "logP");
    if (saved.length != logP.length) {
      throw new IllegalArgumentException(
          "static probabilities: saved for " + saved.length + " items, not " + logP.length);
    }
    System.arraycopy(saved, 0, logP, 0, saved.length);
  }
}
