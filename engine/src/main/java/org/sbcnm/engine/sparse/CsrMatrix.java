package org.sbcnm.engine.sparse;

import java.util.Arrays;
import org.sbcnm.engine.kernel.Kernels;
import org.sbcnm.engine.tensor.Shapes;
import org.sbcnm.engine.tensor.Tensor;

/**
 * An immutable sparse matrix in compressed sparse row form: the non-zeros of row i are {@code
 * colIdx[rowPtr[i] .. rowPtr[i+1])} with values {@code values[...]}, columns ascending.
 *
 * <p>Values are kept in double and, rounded, in float, so products with float32 tensors run on the
 * SIMD kernels (one axpy per non-zero) and products with float64 tensors keep full precision.
 */
public final class CsrMatrix {
  private final int rows;
  private final int cols;
  private final int[] rowPtr;
  private final int[] colIdx;
  private final double[] values;
  private final float[] valuesF;

  private CsrMatrix(int rows, int cols, int[] rowPtr, int[] colIdx, double[] values) {
    this.rows = rows;
    this.cols = cols;
    this.rowPtr = rowPtr;
    this.colIdx = colIdx;
    this.values = values;
    this.valuesF = new float[values.length];
    for (int k = 0; k < values.length; k++) {
      valuesF[k] = (float) values[k];
    }
  }

  /**
   * Builds a [rows, cols] matrix from coordinates (not modified); duplicate (r, c) pairs are
   * summed.
   */
  public static CsrMatrix fromCoo(int rows, int cols, int[] r, int[] c, double[] v) {
    if (rows < 0 || cols < 0) {
      throw new IllegalArgumentException("csr: bad shape [" + rows + ", " + cols + "]");
    }
    if (r.length != c.length || r.length != v.length) {
      throw new IllegalArgumentException(
          "csr: coordinate arrays differ in length: "
              + r.length
              + ", "
              + c.length
              + ", "
              + v.length);
    }
    int nnz = r.length;
    int[] count = new int[rows + 1];
    for (int k = 0; k < nnz; k++) {
      if (r[k] < 0 || r[k] >= rows || c[k] < 0 || c[k] >= cols) {
        throw new IllegalArgumentException(
            "csr: entry "
                + k
                + " at ("
                + r[k]
                + ", "
                + c[k]
                + ") outside ["
                + rows
                + ", "
                + cols
                + "]");
      }
      count[r[k] + 1]++;
    }
    for (int i = 0; i < rows; i++) {
      count[i + 1] += count[i];
    }
    // Counting sort by row, then sort each row by column and merge duplicates.
    int[] next = Arrays.copyOf(count, rows);
    int[] cs = new int[nnz];
    double[] vs = new double[nnz];
    for (int k = 0; k < nnz; k++) {
      int at = next[r[k]]++;
      cs[at] = c[k];
      vs[at] = v[k];
    }
    int[] rowPtr = new int[rows + 1];
    int[] outC = new int[nnz];
    double[] outV = new double[nnz];
    int w = 0;
    long[] keyed = new long[0];
    for (int i = 0; i < rows; i++) {
      int from = count[i];
      int to = count[i + 1];
      int len = to - from;
      if (keyed.length < len) {
        keyed = new long[len];
      }
      for (int k = 0; k < len; k++) {
        keyed[k] = ((long) cs[from + k] << 32) | k;
      }
      Arrays.sort(keyed, 0, len);
      for (int k = 0; k < len; k++) {
        int col = (int) (keyed[k] >>> 32);
        double val = vs[from + (int) keyed[k]];
        if (w > rowPtr[i] && outC[w - 1] == col) {
          outV[w - 1] += val;
        } else {
          outC[w] = col;
          outV[w] = val;
          w++;
        }
      }
      rowPtr[i + 1] = w;
    }
    return new CsrMatrix(rows, cols, rowPtr, Arrays.copyOf(outC, w), Arrays.copyOf(outV, w));
  }

  /**
   * The symmetric normalisation used by GCNs (Kipf &amp; Welling 2017): {@code D^-1/2 (A + I)
   * D^-1/2} with D = rowsum(A + I). This matrix must be square; a row whose degree is not positive
   * gets zeros.
   */
  public CsrMatrix symmetricNormalizedWithSelfLoops() {
    if (rows != cols) {
      throw new IllegalArgumentException(
          "csr normalize: square matrix required, got [" + rows + ", " + cols + "]");
    }
    int nnz = values.length;
    int[] r = new int[nnz + rows];
    int[] c = new int[nnz + rows];
    double[] v = new double[nnz + rows];
    int w = 0;
    for (int i = 0; i < rows; i++) {
      for (int k = rowPtr[i]; k < rowPtr[i + 1]; k++) {
        r[w] = i;
        c[w] = colIdx[k];
        v[w++] = values[k];
      }
      r[w] = i;
      c[w] = i;
      v[w++] = 1.0;
    }
    CsrMatrix withLoops = fromCoo(rows, cols, r, c, v);
    double[] invSqrt = new double[rows];
    for (int i = 0; i < rows; i++) {
      double deg = 0;
      for (int k = withLoops.rowPtr[i]; k < withLoops.rowPtr[i + 1]; k++) {
        deg += withLoops.values[k];
      }
      invSqrt[i] = deg > 0 ? 1.0 / Math.sqrt(deg) : 0.0;
    }
    double[] nv = new double[withLoops.values.length];
    for (int i = 0; i < rows; i++) {
      for (int k = withLoops.rowPtr[i]; k < withLoops.rowPtr[i + 1]; k++) {
        nv[k] = invSqrt[i] * withLoops.values[k] * invSqrt[withLoops.colIdx[k]];
      }
    }
    return new CsrMatrix(rows, cols, withLoops.rowPtr, withLoops.colIdx, nv);
  }

  public int rows() {
    return rows;
  }

  public int cols() {
    return cols;
  }

  /** Number of stored non-zeros. */
  public int nnz() {
    return values.length;
  }

  /** Element (i, j), 0 when not stored. */
  public double get(int i, int j) {
    int k = Arrays.binarySearch(colIdx, rowPtr[i], rowPtr[i + 1], j);
    return k >= 0 ? values[k] : 0.0;
  }

  /** A dense copy, for tests and small graphs. */
  public double[][] toDense() {
    double[][] out = new double[rows][cols];
    for (int i = 0; i < rows; i++) {
      for (int k = rowPtr[i]; k < rowPtr[i + 1]; k++) {
        out[i][colIdx[k]] = values[k];
      }
    }
    return out;
  }

  /**
   * out = β·out + S·x with x [cols, d] and out [rows, d]; β is 0 (overwrite) or 1 (accumulate).
   * Modifies out, which must not share storage with x.
   */
  public void multiply(Tensor x, Tensor out, boolean accumulate) {
    check(x.rows() == cols, "spmm", x, null);
    check(out.rows() == rows && out.cols() == x.cols(), "spmm", x, out);
    Shapes.sameType("spmm", x, out);
    if (!accumulate) {
      out.fill(0);
    }
    int d = x.cols();
    for (int i = 0; i < rows; i++) {
      int oo = out.offset() + i * d;
      for (int k = rowPtr[i]; k < rowPtr[i + 1]; k++) {
        int xo = x.offset() + colIdx[k] * d;
        if (x.isFloat32()) {
          Kernels.axpy(valuesF[k], x.floats(), xo, out.floats(), oo, d);
        } else {
          double a = values[k];
          double[] xs = x.doubles();
          double[] os = out.doubles();
          for (int j = 0; j < d; j++) {
            os[oo + j] += a * xs[xo + j];
          }
        }
      }
    }
  }

  /**
   * out += Sᵀ·g with g [rows, d] and out [cols, d] (the backward of {@link #multiply}). Modifies
   * out, which must not share storage with g.
   */
  public void transposeMultiplyAdd(Tensor g, Tensor out) {
    check(g.rows() == rows, "spmmᵀ", g, null);
    check(out.rows() == cols && out.cols() == g.cols(), "spmmᵀ", g, out);
    Shapes.sameType("spmmᵀ", g, out);
    int d = g.cols();
    for (int i = 0; i < rows; i++) {
      int go = g.offset() + i * d;
      for (int k = rowPtr[i]; k < rowPtr[i + 1]; k++) {
        int oo = out.offset() + colIdx[k] * d;
        if (g.isFloat32()) {
          Kernels.axpy(valuesF[k], g.floats(), go, out.floats(), oo, d);
        } else {
          double a = values[k];
          double[] gs = g.doubles();
          double[] os = out.doubles();
          for (int j = 0; j < d; j++) {
            os[oo + j] += a * gs[go + j];
          }
        }
      }
    }
  }

  /** The transpose, as a new CSR matrix. */
  public CsrMatrix transpose() {
    int nnz = values.length;
    int[] r = new int[nnz];
    int[] c = new int[nnz];
    for (int i = 0; i < rows; i++) {
      for (int k = rowPtr[i]; k < rowPtr[i + 1]; k++) {
        r[k] = colIdx[k];
        c[k] = i;
      }
    }
    return fromCoo(cols, rows, r, c, values.clone());
  }

  private void check(boolean ok, String op, Tensor x, Tensor out) {
    if (!ok) {
      throw new IllegalArgumentException(
          op
              + ": ["
              + rows
              + ", "
              + cols
              + "] (sparse) x "
              + x.shape()
              + (out == null ? "" : " -> " + out.shape()));
    }
  }
}
