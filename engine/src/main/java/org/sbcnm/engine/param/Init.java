package org.sbcnm.engine.param;

import java.util.SplittableRandom;
import org.sbcnm.engine.tensor.Tensor;

/**
 * Seeded initialisers. Every one takes its randomness from the {@link SplittableRandom} it is
 * given, so the same seed gives the same parameters. Each modifies the tensor it is given.
 */
public final class Init {
  private Init() {}

  /** U(−bound, bound) for every element. */
  public static void uniform(Tensor t, double bound, SplittableRandom rng) {
    for (int k = 0; k < t.size(); k++) {
      t.setFlat(k, (2 * rng.nextDouble() - 1) * bound);
    }
  }

  /** N(0, std²) for every element. */
  public static void normal(Tensor t, double std, SplittableRandom rng) {
    for (int k = 0; k < t.size(); k++) {
      t.setFlat(k, rng.nextGaussian() * std);
    }
  }

  /**
   * PyTorch's {@code nn.Linear} default: weight [out, in] and bias both U(−1/√in, 1/√in) (the
   * kaiming_uniform(a=√5) rule reduces to this bound).
   */
  public static void torchLinear(Tensor weight, Tensor bias, int fanIn, SplittableRandom rng) {
    double bound = 1.0 / Math.sqrt(fanIn);
    uniform(weight, bound, rng);
    if (bias != null) {
      uniform(bias, bound, rng);
    }
  }

  /** Glorot/Xavier uniform: U(−√(6/(in+out)), √(6/(in+out))). */
  public static void xavierUniform(Tensor t, int fanIn, int fanOut, SplittableRandom rng) {
    uniform(t, Math.sqrt(6.0 / (fanIn + fanOut)), rng);
  }
}
