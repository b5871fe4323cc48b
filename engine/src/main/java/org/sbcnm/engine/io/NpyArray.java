package org.sbcnm.engine.io;

import java.util.Arrays;

/**
 * The contents of a {@code .npy} file: its dtype descriptor, its C-order shape and its elements in
 * C order, as one of float[], double[], int[] or long[] (the file's own kind).
 */
public final class NpyArray {
  private final String descr;
  private final long[] shape;
  private final Object data;

  NpyArray(String descr, long[] shape, Object data) {
    this.descr = descr;
    this.shape = shape;
    this.data = data;
  }

  /** The descriptor as written in the file, e.g. {@code "<f4"}. */
  public String descr() {
    return descr;
  }

  public long[] shape() {
    return shape.clone();
  }

  public int ndim() {
    return shape.length;
  }

  /** Number of elements. */
  public long size() {
    long n = 1;
    for (long s : shape) {
      n *= s;
    }
    return n;
  }

  /** Rows when viewed as a matrix: shape[0] (1 for a scalar). */
  public int rows() {
    return shape.length == 0 ? 1 : (int) shape[0];
  }

  /** Columns when viewed as a matrix: shape[1] for 2-D, 1 for 1-D and scalars. */
  public int cols() {
    return shape.length == 2 ? (int) shape[1] : 1;
  }

  boolean isFloating() {
    return data instanceof float[] || data instanceof double[];
  }

  Object raw() {
    return data;
  }

  /** The elements as float (converted from any stored kind). */
  public float[] toFloats() {
    if (data instanceof float[]) {
      return (float[]) data;
    }
    int n = (int) size();
    float[] out = new float[n];
    for (int k = 0; k < n; k++) {
      out[k] = (float) get(k);
    }
    return out;
  }

  /** The elements as double (converted from any stored kind). */
  public double[] toDoubles() {
    if (data instanceof double[]) {
      return (double[]) data;
    }
    int n = (int) size();
    double[] out = new double[n];
    for (int k = 0; k < n; k++) {
      out[k] = get(k);
    }
    return out;
  }

  /** The elements as long; floating-point data is refused. */
  public long[] toLongs() {
    if (data instanceof long[]) {
      return (long[]) data;
    }
    if (data instanceof int[]) {
      int[] d = (int[]) data;
      long[] out = new long[d.length];
      for (int k = 0; k < d.length; k++) {
        out[k] = d[k];
      }
      return out;
    }
    throw new IllegalStateException("npy: " + descr + " is not an integer array");
  }

  /** The elements as int; floating-point data and values outside int range are refused. */
  public int[] toInts() {
    if (data instanceof int[]) {
      return (int[]) data;
    }
    long[] l = toLongs();
    int[] out = new int[l.length];
    for (int k = 0; k < l.length; k++) {
      if (l[k] != (int) l[k]) {
        throw new IllegalStateException(
            "npy: element " + k + " = " + l[k] + " does not fit in int32");
      }
      out[k] = (int) l[k];
    }
    return out;
  }

  private double get(int k) {
    if (data instanceof float[]) {
      return ((float[]) data)[k];
    }
    if (data instanceof double[]) {
      return ((double[]) data)[k];
    }
    if (data instanceof int[]) {
      return ((int[]) data)[k];
    }
    return ((long[]) data)[k];
  }

  @Override
  public String toString() {
    return "NpyArray(" + descr + ", " + Arrays.toString(shape) + ")";
  }
}
