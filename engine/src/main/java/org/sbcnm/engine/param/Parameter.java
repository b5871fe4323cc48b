package org.sbcnm.engine.param;

import java.util.Arrays;
import org.sbcnm.engine.tensor.DType;
import org.sbcnm.engine.tensor.Tensor;

/**
 * A trainable tensor with its gradient.
 *
 * <p>A parameter with {@code sparseRows} (an embedding table) records which rows received a
 * gradient since the last {@link #zeroGrad()}; optimisers then update, and {@code zeroGrad} clears,
 * only those rows, so a step costs O(rows touched), not O(table).
 */
public final class Parameter {
  private final String name;
  private final Tensor value;
  private final Tensor grad;
  private final boolean sparseRows;
  private boolean trainable = true;
  private final boolean[] touched;
  private final int[] touchedRows;
  private int touchedCount;
  private boolean allTouched;

  /** A parameter wrapping {@code value} (not copied) with a zero gradient of the same shape. */
  public Parameter(String name, Tensor value, boolean sparseRows) {
    if (name == null || name.isEmpty()) {
      throw new IllegalArgumentException("parameter: empty name");
    }
    this.name = name;
    this.value = value;
    this.grad = Tensor.zeros(value.dtype(), value.rows(), value.cols());
    this.sparseRows = sparseRows;
    this.touched = sparseRows ? new boolean[value.rows()] : null;
    this.touchedRows = sparseRows ? new int[value.rows()] : null;
  }

  /** A dense parameter of zeros. */
  public static Parameter zeros(String name, DType type, int rows, int cols) {
    return new Parameter(name, Tensor.zeros(type, rows, cols), false);
  }

  public String name() {
    return name;
  }

  /** The value; optimisers modify it in place. */
  public Tensor value() {
    return value;
  }

  /** The accumulated gradient (dense layout even for sparse-row parameters). */
  public Tensor grad() {
    return grad;
  }

  public boolean sparseRows() {
    return sparseRows;
  }

  public boolean trainable() {
    return trainable;
  }

  /** Freezes (false) or unfreezes the parameter; a frozen one gets no gradient. */
  public Parameter setTrainable(boolean on) {
    this.trainable = on;
    return this;
  }

  public int rows() {
    return value.rows();
  }

  public int cols() {
    return value.cols();
  }

  /** Records that row r received a gradient (sparse-row parameters only; a no-op otherwise). */
  public void markRow(int r) {
    if (sparseRows && !allTouched && !touched[r]) {
      touched[r] = true;
      touchedRows[touchedCount++] = r;
    }
  }

  /** Records that every row received a gradient. */
  public void markAllRows() {
    allTouched = true;
  }

  /** True when {@link #touchedRows} lists every touched row (false after {@link #markAllRows}). */
  public boolean hasSparseGrad() {
    return sparseRows && !allTouched;
  }

  /**
   * The rows touched since the last zeroGrad, first {@link #touchedCount()} entries; not a copy.
   */
  public int[] touchedRows() {
    return touchedRows;
  }

  public int touchedCount() {
    return touchedCount;
  }

  /** Zeroes the gradient (only the touched rows of a sparse-row parameter) and clears the marks. */
  public void zeroGrad() {
    if (sparseRows && !allTouched) {
      int d = grad.cols();
      for (int k = 0; k < touchedCount; k++) {
        int r = touchedRows[k];
        if (grad.isFloat32()) {
          Arrays.fill(grad.floats(), r * d, (r + 1) * d, 0f);
        } else {
          Arrays.fill(grad.doubles(), r * d, (r + 1) * d, 0.0);
        }
        touched[r] = false;
      }
    } else {
      grad.fill(0);
      if (sparseRows) {
        Arrays.fill(touched, false);
      }
    }
    touchedCount = 0;
    allTouched = false;
  }

  @Override
  public String toString() {
    return "Parameter(" + name + ", " + value.shape() + (sparseRows ? ", sparse rows" : "") + ")";
  }
}
