package org.sbcnm.engine.autograd;

import java.util.Arrays;
import org.sbcnm.engine.tensor.DType;
import org.sbcnm.engine.tensor.Tensor;

/**
 * A growable array with cached tensor views: asking again for a shape asked for recently returns
 * the same tensor, and a shape that fits reuses the array, so steady-state training steps allocate
 * nothing even when a dimension varies from step to step (the distinct item columns of a batch).
 *
 * <p>The array grows by at least half its size, so a dimension that creeps upwards over a run
 * reallocates a few times rather than at every new maximum. Growing drops the cached views, which
 * point into the old array.
 */
final class Buffer {
  /** Shapes remembered: enough for the handful a varying batch dimension takes. */
  private static final int VIEWS = 16;

  private float[] f = new float[0];
  private double[] d = new double[0];
  private final Tensor[] views = new Tensor[VIEWS];
  private int nextView;

  Tensor get(DType type, int rows, int cols) {
    for (Tensor v : views) {
      if (v != null && v.dtype() == type && v.rows() == rows && v.cols() == cols) {
        return v;
      }
    }
    int n = Math.multiplyExact(rows, cols);
    Tensor v;
    if (type == DType.FLOAT32) {
      if (f.length < n) {
        f = new float[grown(f.length, n)];
        Arrays.fill(views, null);
      }
      v = Tensor.wrap(f, 0, rows, cols);
    } else {
      if (d.length < n) {
        d = new double[grown(d.length, n)];
        Arrays.fill(views, null);
      }
      v = Tensor.wrap(d, 0, rows, cols);
    }
    views[nextView] = v;
    nextView = (nextView + 1) % VIEWS;
    return v;
  }

  /** The first allocation is exact; later ones add at least half the old size. */
  private static int grown(int old, int needed) {
    return old == 0
        ? needed
        : (int) Math.min(Integer.MAX_VALUE - 8, Math.max(needed, old + (long) old / 2));
  }
}
