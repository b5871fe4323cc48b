package org.sbcnm.training.sampling;

import java.util.SplittableRandom;

/**
 * The simulation of Yi et al. 2019, §6.1: items 1..n drawn i.i.d. in batches from q ∝ i² (so the
 * most popular item is the last), the distribution reversed (q ∝ (n+1−i)²) at a given step, and the
 * estimator's error tracked over time as the total-variation distance
 *
 * <pre>
 *   err(t) = ½ · Σᵢ | p̂ᵢ(t) / |B| − qᵢ |
 * </pre>
 *
 * where p̂ᵢ, the estimated occurrences per step, divided by the batch size |B| estimates qᵢ.
 */
public final class EstimatorSimulation {
  private final int items;
  private final int batch;
  private final int steps;
  private final int switchAt;
  private final int every;
  private final long seed;

  /**
   * @param items catalogue size n
   * @param batch items per step |B|
   * @param steps total steps
   * @param switchAt step at which q is reversed (≥ steps for never)
   * @param every record the error every this many steps
   * @param seed sampling seed (the same for every estimator compared)
   */
  public EstimatorSimulation(int items, int batch, int steps, int switchAt, int every, long seed) {
    if (items < 2 || batch < 1 || steps < 1 || every < 1) {
      throw new IllegalArgumentException("simulation: items >= 2, batch, steps, every >= 1");
    }
    this.items = items;
    this.batch = batch;
    this.steps = steps;
    this.switchAt = switchAt;
    this.every = every;
    this.seed = seed;
  }

  /** q at a given step: ∝ i² before the switch, ∝ (n+1−i)² after (item index i−1). */
  public double[] distribution(boolean switched) {
    double[] q = new double[items];
    double s = 0;
    for (int i = 0; i < items; i++) {
      double rank = switched ? items - i : i + 1;
      q[i] = rank * rank;
      s += q[i];
    }
    for (int i = 0; i < items; i++) {
      q[i] /= s;
    }
    return q;
  }

  /** Runs one estimator; returns the error at steps every, 2·every, ... (length steps / every). */
  public double[] run(StreamingFrequencyEstimator estimator) {
    SplittableRandom rng = new SplittableRandom(seed);
    double[] q = distribution(false);
    double[] cdf = cdf(q);
    int[] b = new int[batch];
    double[] errors = new double[steps / every];
    for (int t = 1; t <= steps; t++) {
      if (t == switchAt + 1) {
        q = distribution(true);
        cdf = cdf(q);
      }
      for (int k = 0; k < batch; k++) {
        b[k] = sample(cdf, rng);
      }
      estimator.update(b, batch);
      if (t % every == 0) {
        double err = 0;
        for (int i = 0; i < items; i++) {
          double g = estimator.gap(i);
          double pHat = g > 0 ? 1.0 / g : 0.0;
          err += Math.abs(pHat / batch - q[i]);
        }
        errors[t / every - 1] = err / 2;
      }
    }
    return errors;
  }

  private static double[] cdf(double[] q) {
    double[] c = new double[q.length];
    double acc = 0;
    for (int i = 0; i < q.length; i++) {
      acc += q[i];
      c[i] = acc;
    }
    c[q.length - 1] = 1.0;
    return c;
  }

  private static int sample(double[] cdf, SplittableRandom rng) {
    double u = rng.nextDouble();
    int lo = 0;
    int hi = cdf.length - 1;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (cdf[mid] < u) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }
}
