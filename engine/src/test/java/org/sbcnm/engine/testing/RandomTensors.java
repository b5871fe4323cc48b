package org.sbcnm.engine.testing;

import java.util.SplittableRandom;
import org.sbcnm.engine.tensor.DType;
import org.sbcnm.engine.tensor.Tensor;

/** Seeded random tensors and arrays for tests. */
public final class RandomTensors {
  private RandomTensors() {}

  /** Elements uniform in [-1, 1). */
  public static Tensor uniform(DType type, int rows, int cols, SplittableRandom rng) {
    Tensor t = Tensor.zeros(type, rows, cols);
    for (int k = 0; k < t.size(); k++) {
      t.setFlat(k, 2 * rng.nextDouble() - 1);
    }
    return t;
  }

  /** Elements standard normal. */
  public static Tensor normal(DType type, int rows, int cols, SplittableRandom rng) {
    Tensor t = Tensor.zeros(type, rows, cols);
    for (int k = 0; k < t.size(); k++) {
      t.setFlat(k, rng.nextGaussian());
    }
    return t;
  }

  /** A float array with elements uniform in [-1, 1). */
  public static float[] floats(int n, SplittableRandom rng) {
    float[] a = new float[n];
    for (int k = 0; k < n; k++) {
      a[k] = (float) (2 * rng.nextDouble() - 1);
    }
    return a;
  }
}
