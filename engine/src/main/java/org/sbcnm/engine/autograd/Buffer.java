package org.sbcnm.engine.autograd;

import org.sbcnm.engine.tensor.DType;
import org.sbcnm.engine.tensor.Tensor;

/**
 * A growable array with a cached tensor view: asking again for the same shape returns the same
 * tensor, a smaller one reuses the array, so steady-state training steps allocate nothing.
 */
final class Buffer {
  private float[] f = new float[0];
  private double[] d = new double[0];
  private Tensor view;

  Tensor get(DType type, int rows, int cols) {
    Tensor v = view;
    if (v != null && v.dtype() == type && v.rows() == rows && v.cols() == cols) {
      return v;
    }
    int n = Math.multiplyExact(rows, cols);
    if (type == DType.FLOAT32) {
      if (f.length < n) {
        f = new float[n];
      }
      v = Tensor.wrap(f, 0, rows, cols);
    } else {
      if (d.length < n) {
        d = new double[n];
      }
      v = Tensor.wrap(d, 0, rows, cols);
    }
    view = v;
    return v;
  }
}
