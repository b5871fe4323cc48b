package org.sbcnm.training.sampling;

import java.util.SplittableRandom;
import java.util.function.IntFunction;

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

  /**
   * The error curves of {@code trials} estimators from {@code make} (trial r's estimator, e.g. one
   * hash seed per trial), each on the sampling stream of seed {@code seed + r}: the same streams
   * for every estimator family compared, so the comparison is paired.
   */
  public Band runMany(IntFunction<StreamingFrequencyEstimator> make, int trials) {
    if (trials < 1) {
      throw new IllegalArgumentException("simulation: trials must be >= 1, got " + trials);
    }
    double[][] curves = new double[trials][];
    for (int r = 0; r < trials; r++) {
      EstimatorSimulation stream =
          new EstimatorSimulation(items, batch, steps, switchAt, every, seed + r);
      curves[r] = stream.run(make.apply(r));
    }
    return Band.of(curves);
  }

  /** Mean, standard deviation, minimum and maximum of several error curves, point by point. */
  public record Band(double[] mean, double[] sd, double[] min, double[] max) {
    static Band of(double[][] curves) {
      int n = curves[0].length;
      double[] mean = new double[n];
      double[] sd = new double[n];
      double[] min = new double[n];
      double[] max = new double[n];
      for (int i = 0; i < n; i++) {
        double sum = 0;
        min[i] = Double.POSITIVE_INFINITY;
        max[i] = Double.NEGATIVE_INFINITY;
        for (double[] c : curves) {
          sum += c[i];
          min[i] = Math.min(min[i], c[i]);
          max[i] = Math.max(max[i], c[i]);
        }
        mean[i] = sum / curves.length;
        double sq = 0;
        for (double[] c : curves) {
          sq += (c[i] - mean[i]) * (c[i] - mean[i]);
        }
        sd[i] = curves.length > 1 ? Math.sqrt(sq / (curves.length - 1)) : 0;
      }
      return new Band(mean, sd, min, max);
    }

    /** The last point's mean. */
    public double finalMean() {
      return mean[mean.length - 1];
    }
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
