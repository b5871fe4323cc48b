package org.sbcnm.engine.tensor;

import java.util.Arrays;

/**
 * A dense row-major matrix of {@code rows × cols} elements, stored as float32 or float64.
 *
 * <p>Element {@code (i, j)} lives at {@code offset + i * cols + j} of the backing array, so a
 * tensor and every row-range view of it are contiguous. A vector is a {@code [1, n]} tensor. The
 * shape is fixed; the elements are mutable. Exactly one of {@link #floats()} and {@link #doubles()}
 * is non-null, as the {@link DType} says.
 */
public final class Tensor {
  private final DType dtype;
  private final int rows;
  private final int cols;
  private final int offset;
  private final float[] f;
  private final double[] d;

  private Tensor(DType dtype, int rows, int cols, int offset, float[] f, double[] d) {
    if (rows < 0 || cols < 0) {
      throw new IllegalArgumentException("tensor: negative shape [" + rows + ", " + cols + "]");
    }
    long size = (long) rows * cols;
    long capacity = f != null ? f.length : d.length;
    if (offset < 0 || offset + size > capacity) {
      throw new IllegalArgumentException(
          "tensor: shape ["
              + rows
              + ", "
              + cols
              + "] at offset "
              + offset
              + " does not fit an array of "
              + capacity);
    }
    this.dtype = dtype;
    this.rows = rows;
    this.cols = cols;
    this.offset = offset;
    this.f = f;
    this.d = d;
  }

  /** A new zero tensor of the given type and shape. */
  public static Tensor zeros(DType dtype, int rows, int cols) {
    long size = (long) rows * cols;
    if (rows < 0 || cols < 0 || size > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException("zeros: bad shape [" + rows + ", " + cols + "]");
    }
    return dtype == DType.FLOAT32
        ? new Tensor(dtype, rows, cols, 0, new float[(int) size], null)
        : new Tensor(dtype, rows, cols, 0, null, new double[(int) size]);
  }

  /** A new float32 zero tensor. */
  public static Tensor zeros(int rows, int cols) {
    return zeros(DType.FLOAT32, rows, cols);
  }

  /** Wraps {@code data} (not copied) as a float32 tensor starting at index 0. */
  public static Tensor wrap(float[] data, int rows, int cols) {
    return new Tensor(DType.FLOAT32, rows, cols, 0, data, null);
  }

  /** Wraps {@code data} (not copied) as a float32 tensor starting at {@code offset}. */
  public static Tensor wrap(float[] data, int offset, int rows, int cols) {
    return new Tensor(DType.FLOAT32, rows, cols, offset, data, null);
  }

  /** Wraps {@code data} (not copied) as a float64 tensor starting at index 0. */
  public static Tensor wrap(double[] data, int rows, int cols) {
    return new Tensor(DType.FLOAT64, rows, cols, 0, null, data);
  }

  /** Wraps {@code data} (not copied) as a float64 tensor starting at {@code offset}. */
  public static Tensor wrap(double[] data, int offset, int rows, int cols) {
    return new Tensor(DType.FLOAT64, rows, cols, offset, null, data);
  }

  /** Copies a rectangular array into a new tensor of the given type. */
  public static Tensor of(DType dtype, double[][] values) {
    int r = values.length;
    int c = r == 0 ? 0 : values[0].length;
    Tensor t = zeros(dtype, r, c);
    for (int i = 0; i < r; i++) {
      if (values[i].length != c) {
        throw new IllegalArgumentException(
            "of: ragged row " + i + ": " + values[i].length + " != " + c);
      }
      for (int j = 0; j < c; j++) {
        t.set(i, j, values[i][j]);
      }
    }
    return t;
  }

  /** Copies a vector into a new {@code [1, n]} tensor of the given type. */
  public static Tensor row(DType dtype, double... values) {
    Tensor t = zeros(dtype, 1, values.length);
    for (int j = 0; j < values.length; j++) {
      t.set(0, j, values[j]);
    }
    return t;
  }

  public DType dtype() {
    return dtype;
  }

  public int rows() {
    return rows;
  }

  public int cols() {
    return cols;
  }

  /** Number of elements, {@code rows * cols}. */
  public int size() {
    return rows * cols;
  }

  /** Index of element (0, 0) in the backing array. */
  public int offset() {
    return offset;
  }

  /** The backing float32 array, or null for a float64 tensor. Modifying it modifies the tensor. */
  public float[] floats() {
    return f;
  }

  /** The backing float64 array, or null for a float32 tensor. Modifying it modifies the tensor. */
  public double[] doubles() {
    return d;
  }

  public boolean isFloat32() {
    return dtype == DType.FLOAT32;
  }

  public boolean sameShape(Tensor o) {
    return rows == o.rows && cols == o.cols;
  }

  /** {@code "[rows, cols]"}, the form every shape error message uses. */
  public String shape() {
    return "[" + rows + ", " + cols + "]";
  }

  /** Element (i, j) widened to double. */
  public double get(int i, int j) {
    int k = index(i, j);
    return f != null ? f[k] : d[k];
  }

  /** Sets element (i, j), rounding to float for a float32 tensor. Modifies this tensor. */
  public void set(int i, int j, double v) {
    int k = index(i, j);
    if (f != null) {
      f[k] = (float) v;
    } else {
      d[k] = v;
    }
  }

  /** Element k of the row-major flattening, widened to double. */
  public double getFlat(int k) {
    return f != null ? f[offset + k] : d[offset + k];
  }

  /** Sets element k of the row-major flattening. Modifies this tensor. */
  public void setFlat(int k, double v) {
    if (f != null) {
      f[offset + k] = (float) v;
    } else {
      d[offset + k] = v;
    }
  }

  private int index(int i, int j) {
    if (i < 0 || i >= rows || j < 0 || j >= cols) {
      throw new IndexOutOfBoundsException("(" + i + ", " + j + ") outside " + shape());
    }
    return offset + i * cols + j;
  }

  /** A view (sharing storage) of rows {@code [start, start + count)}. */
  public Tensor rowRange(int start, int count) {
    if (start < 0 || count < 0 || start + count > rows) {
      throw new IllegalArgumentException(
          "rowRange: rows [" + start + ", " + (start + count) + ") of " + shape());
    }
    return new Tensor(dtype, count, cols, offset + start * cols, f, d);
  }

  /** A view (sharing storage) of the same elements with another shape of equal size. */
  public Tensor reshape(int newRows, int newCols) {
    if ((long) newRows * newCols != size()) {
      throw new IllegalArgumentException(
          "reshape: " + shape() + " to [" + newRows + ", " + newCols + "]");
    }
    return new Tensor(dtype, newRows, newCols, offset, f, d);
  }

  /** Sets every element to v. Modifies this tensor. */
  public Tensor fill(double v) {
    if (f != null) {
      Arrays.fill(f, offset, offset + size(), (float) v);
    } else {
      Arrays.fill(d, offset, offset + size(), v);
    }
    return this;
  }

  /** Copies {@code src} (same shape, any type) into this tensor. Modifies this tensor. */
  public Tensor copyFrom(Tensor src) {
    if (!sameShape(src)) {
      throw new IllegalArgumentException("copyFrom: " + shape() + " <- " + src.shape());
    }
    int n = size();
    if (f != null && src.f != null) {
      System.arraycopy(src.f, src.offset, f, offset, n);
    } else if (d != null && src.d != null) {
      System.arraycopy(src.d, src.offset, d, offset, n);
    } else {
      for (int k = 0; k < n; k++) {
        setFlat(k, src.getFlat(k));
      }
    }
    return this;
  }

  /** A new tensor of the given type holding a copy of this one's elements. */
  public Tensor copy(DType type) {
    return zeros(type, rows, cols).copyFrom(this);
  }

  /** A new tensor of the same type holding a copy of this one's elements. */
  public Tensor copy() {
    return copy(dtype);
  }

  /** The elements as a new double[rows][cols]. */
  public double[][] toArray() {
    double[][] out = new double[rows][cols];
    for (int i = 0; i < rows; i++) {
      for (int j = 0; j < cols; j++) {
        out[i][j] = get(i, j);
      }
    }
    return out;
  }

  @Override
  public String toString() {
    StringBuilder sb =
        new StringBuilder("Tensor").append(dtype == DType.FLOAT32 ? "f32" : "f64").append(shape());
    if (size() <= 64) {
      sb.append(' ').append(Arrays.deepToString(toArray()));
    }
    return sb.toString();
  }
}
