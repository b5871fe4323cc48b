package org.sbcnm.engine.kernel;

import org.sbcnm.engine.tensor.Shapes;
import org.sbcnm.engine.tensor.Tensor;

/**
 * Matrix operations on {@link Tensor}s. Float32 tensors run on the chosen {@link Kernels}; float64
 * tensors run plain double loops (the precision gradient checks need). Every method checks shapes
 * and types and names the op in its error. Only the tensor named {@code out} (or {@code c}, {@code
 * y}) is modified; it may be an input only where the method says so.
 */
public final class MatrixOps {
  private MatrixOps() {}

  /**
   * C = β·C + α·op(A)·op(B) with op(X) = X or Xᵀ. C must not share storage with A or B. β = 0
   * overwrites C without reading it.
   */
  public static void gemm(
      boolean transA, boolean transB, double alpha, Tensor a, Tensor b, double beta, Tensor c) {
    int m = transA ? a.cols() : a.rows();
    int k = transA ? a.rows() : a.cols();
    int kb = transB ? b.cols() : b.rows();
    int n = transB ? b.rows() : b.cols();
    if (k != kb
        || c.rows() != m
        || c.cols() != n
        || a.dtype() != b.dtype()
        || a.dtype() != c.dtype()) {
      String op = matmulName(transA, transB);
      Shapes.check(k == kb, op, a, b);
      Shapes.check(c.rows() == m && c.cols() == n, op, a, b, c);
      Shapes.sameType(op, a, b);
      Shapes.sameType(op, a, c);
    }
    if (a.isFloat32()) {
      Kernels.gemm(
          transA,
          transB,
          m,
          n,
          k,
          (float) alpha,
          a.floats(),
          a.offset(),
          a.cols(),
          b.floats(),
          b.offset(),
          b.cols(),
          (float) beta,
          c.floats(),
          c.offset(),
          c.cols());
      return;
    }
    double[] ad = a.doubles();
    double[] bd = b.doubles();
    double[] cd = c.doubles();
    int lda = a.cols();
    int ldb = b.cols();
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < n; j++) {
        double s = 0;
        for (int p = 0; p < k; p++) {
          double x = transA ? ad[a.offset() + p * lda + i] : ad[a.offset() + i * lda + p];
          double y = transB ? bd[b.offset() + j * ldb + p] : bd[b.offset() + p * ldb + j];
          s += x * y;
        }
        int ci = c.offset() + i * n + j;
        cd[ci] = beta == 0 ? alpha * s : beta * cd[ci] + alpha * s;
      }
    }
  }

  /** "matmul", "matmul(Aᵀ)", "matmul(Bᵀ)" or "matmul(Aᵀ)(Bᵀ)", for error messages. */
  public static String matmulName(boolean transA, boolean transB) {
    return "matmul" + (transA ? "(Aᵀ)" : "") + (transB ? "(Bᵀ)" : "");
  }

  private static void same(String op, Tensor a, Tensor b, Tensor out) {
    Shapes.check(a.sameShape(b) && a.sameShape(out), op, a, b, out);
    Shapes.sameType(op, a, b);
    Shapes.sameType(op, a, out);
  }

  private static void same(String op, Tensor a, Tensor out) {
    Shapes.check(a.sameShape(out), op, a, out);
    Shapes.sameType(op, a, out);
  }

  /** out = a + b (out may be a or b). */
  public static void add(Tensor a, Tensor b, Tensor out) {
    same("add", a, b, out);
    int n = a.size();
    if (a.isFloat32()) {
      Kernels.add(a.floats(), a.offset(), b.floats(), b.offset(), out.floats(), out.offset(), n);
    } else {
      double[] x = a.doubles();
      double[] y = b.doubles();
      double[] o = out.doubles();
      for (int k = 0; k < n; k++) {
        o[out.offset() + k] = x[a.offset() + k] + y[b.offset() + k];
      }
    }
  }

  /** out = a ⊙ b (out may be a or b). */
  public static void mul(Tensor a, Tensor b, Tensor out) {
    same("mul", a, b, out);
    int n = a.size();
    if (a.isFloat32()) {
      Kernels.mul(a.floats(), a.offset(), b.floats(), b.offset(), out.floats(), out.offset(), n);
    } else {
      double[] x = a.doubles();
      double[] y = b.doubles();
      double[] o = out.doubles();
      for (int k = 0; k < n; k++) {
        o[out.offset() + k] = x[a.offset() + k] * y[b.offset() + k];
      }
    }
  }

  /** out += a ⊙ b. */
  public static void mulAdd(Tensor a, Tensor b, Tensor out) {
    same("mulAdd", a, b, out);
    int n = a.size();
    if (a.isFloat32()) {
      Kernels.mulAdd(a.floats(), a.offset(), b.floats(), b.offset(), out.floats(), out.offset(), n);
    } else {
      double[] x = a.doubles();
      double[] y = b.doubles();
      double[] o = out.doubles();
      for (int k = 0; k < n; k++) {
        o[out.offset() + k] += x[a.offset() + k] * y[b.offset() + k];
      }
    }
  }

  /** y += alpha·x. */
  public static void axpy(double alpha, Tensor x, Tensor y) {
    same("axpy", x, y);
    int n = x.size();
    if (x.isFloat32()) {
      RowSplit.LOCAL.get().run(RowSplit.AXPY, x, null, y, (float) alpha, false);
    } else {
      double[] a = x.doubles();
      double[] o = y.doubles();
      for (int k = 0; k < n; k++) {
        o[y.offset() + k] += alpha * a[x.offset() + k];
      }
    }
  }

  /** out = alpha·x (out may be x). */
  public static void scale(double alpha, Tensor x, Tensor out) {
    same("scale", x, out);
    int n = x.size();
    if (x.isFloat32()) {
      RowSplit.LOCAL.get().run(RowSplit.SCALE, x, null, out, (float) alpha, false);
    } else {
      double[] a = x.doubles();
      double[] o = out.doubles();
      for (int k = 0; k < n; k++) {
        o[out.offset() + k] = alpha * a[x.offset() + k];
      }
    }
  }

  /** out = x + bias broadcast over rows; x is [n, d], bias [1, d] (out may be x). */
  public static void addRowVector(Tensor x, Tensor bias, Tensor out) {
    addRow("addBias", false, x, bias, out);
  }

  /**
   * out = max(x + bias, 0), bias broadcast over rows; x is [n, d], bias [1, d] (out may be x). The
   * same values as {@link #addRowVector} then {@link #relu}, each row done while it is in cache.
   */
  public static void addRowVectorRelu(Tensor x, Tensor bias, Tensor out) {
    addRow("addBiasRelu", true, x, bias, out);
  }

  private static void addRow(String op, boolean relu, Tensor x, Tensor bias, Tensor out) {
    Shapes.check(bias.rows() == 1 && bias.cols() == x.cols(), op, x, bias);
    same(op, x, out);
    Shapes.sameType(op, x, bias);
    if (x.isFloat32()) {
      RowSplit.LOCAL
          .get()
          .run(relu ? RowSplit.ADD_ROW_RELU : RowSplit.ADD_ROW, x, bias, out, 1f, false);
      return;
    }
    int d = x.cols();
    for (int i = 0; i < x.rows(); i++) {
      for (int j = 0; j < d; j++) {
        double v = x.doubles()[x.offset() + i * d + j] + bias.doubles()[bias.offset() + j];
        out.doubles()[out.offset() + i * d + j] = relu ? Math.max(v, 0.0) : v;
      }
    }
  }

  /** out += column sums of g; g is [n, d], out [1, d]. */
  public static void addColumnSums(Tensor g, Tensor out) {
    Shapes.check(out.rows() == 1 && out.cols() == g.cols(), "columnSums", g, out);
    Shapes.sameType("columnSums", g, out);
    int d = g.cols();
    for (int i = 0; i < g.rows(); i++) {
      if (g.isFloat32()) {
        Kernels.axpy(1f, g.floats(), g.offset() + i * d, out.floats(), out.offset(), d);
      } else {
        for (int j = 0; j < d; j++) {
          out.doubles()[out.offset() + j] += g.doubles()[g.offset() + i * d + j];
        }
      }
    }
  }

  /** out = row sums of x; x is [n, d], out [n, 1]. */
  public static void rowSums(Tensor x, Tensor out) {
    Shapes.check(out.rows() == x.rows() && out.cols() == 1, "rowSums", x, out);
    Shapes.sameType("rowSums", x, out);
    int d = x.cols();
    for (int i = 0; i < x.rows(); i++) {
      if (x.isFloat32()) {
        out.floats()[out.offset() + i] = Kernels.sum(x.floats(), x.offset() + i * d, d);
      } else {
        double s = 0;
        for (int j = 0; j < d; j++) {
          s += x.doubles()[x.offset() + i * d + j];
        }
        out.doubles()[out.offset() + i] = s;
      }
    }
  }

  /** out = max(x, 0) (out may be x). */
  public static void relu(Tensor x, Tensor out) {
    same("relu", x, out);
    int n = x.size();
    if (x.isFloat32()) {
      RowSplit.LOCAL.get().run(RowSplit.RELU, x, null, out, 1f, false);
    } else {
      for (int k = 0; k < n; k++) {
        out.doubles()[out.offset() + k] = Math.max(x.doubles()[x.offset() + k], 0.0);
      }
    }
  }

  /** out = β·out + (x &gt; 0 ? g : 0), β ∈ {0, 1}; out is not read when β = 0. */
  public static void reluBackward(Tensor x, Tensor g, double beta, Tensor out) {
    same("reluBackward", x, g, out);
    int n = x.size();
    boolean accumulate = beta != 0;
    if (x.isFloat32()) {
      RowSplit.LOCAL.get().run(RowSplit.RELU_BACKWARD, x, g, out, 1f, accumulate);
    } else {
      double[] o = out.doubles();
      for (int k = 0; k < n; k++) {
        double d = x.doubles()[x.offset() + k] > 0 ? g.doubles()[g.offset() + k] : 0.0;
        o[out.offset() + k] = accumulate ? o[out.offset() + k] + d : d;
      }
    }
  }

  /**
   * out_i = x_i / max(‖x_i‖, eps) for every row, as {@code torch.nn.functional.normalize}; writes
   * the row norms ‖x_i‖ to {@code norms} [n, 1] when it is not null (out may be x).
   */
  public static void rowL2Normalize(Tensor x, Tensor out, Tensor norms, double eps) {
    same("l2normalize", x, out);
    if (norms != null) {
      Shapes.require("l2normalize", "norms", norms, x.rows(), 1);
      Shapes.sameType("l2normalize", x, norms);
    }
    int d = x.cols();
    for (int i = 0; i < x.rows(); i++) {
      int xo = x.offset() + i * d;
      int oo = out.offset() + i * d;
      if (x.isFloat32()) {
        float norm = (float) Math.sqrt(Kernels.sumSquares(x.floats(), xo, d));
        Kernels.scale((float) (1.0 / Math.max(norm, eps)), x.floats(), xo, out.floats(), oo, d);
        if (norms != null) {
          norms.floats()[norms.offset() + i] = norm;
        }
      } else {
        double s = 0;
        for (int j = 0; j < d; j++) {
          s += x.doubles()[xo + j] * x.doubles()[xo + j];
        }
        double norm = Math.sqrt(s);
        double inv = 1.0 / Math.max(norm, eps);
        for (int j = 0; j < d; j++) {
          out.doubles()[oo + j] = x.doubles()[xo + j] * inv;
        }
        if (norms != null) {
          norms.doubles()[norms.offset() + i] = norm;
        }
      }
    }
  }

  /** out_i = log Σ_j exp(x_ij) for every row, computed stably; out is [n, 1]. */
  public static void rowLogSumExp(Tensor x, Tensor out, Tensor scratch) {
    Shapes.check(out.rows() == x.rows() && out.cols() == 1, "logSumExp", x, out);
    same("logSumExp", x, scratch);
    Shapes.sameType("logSumExp", x, out);
    for (int i = 0; i < x.rows(); i++) {
      out.setFlat(i, logSumExpRow(x, i, scratch));
    }
  }

  /** out = row-wise softmax of x (out may be x). */
  public static void rowSoftmax(Tensor x, Tensor out) {
    same("softmax", x, out);
    int d = x.cols();
    for (int i = 0; i < x.rows(); i++) {
      int xo = x.offset() + i * d;
      int oo = out.offset() + i * d;
      // The max is taken before out is written, so out may alias x.
      if (x.isFloat32()) {
        float mx = Kernels.max(x.floats(), xo, d);
        float s = Kernels.expShifted(x.floats(), xo, mx, out.floats(), oo, d);
        Kernels.scale(1f / s, out.floats(), oo, out.floats(), oo, d);
      } else {
        double[] xs = x.doubles();
        double[] os = out.doubles();
        double mx = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < d; j++) {
          mx = Math.max(mx, xs[xo + j]);
        }
        double s = 0;
        for (int j = 0; j < d; j++) {
          os[oo + j] = Math.exp(xs[xo + j] - mx);
          s += os[oo + j];
        }
        for (int j = 0; j < d; j++) {
          os[oo + j] /= s;
        }
      }
    }
  }

  /** log Σ_j exp(x_ij) of row i; leaves exp(x_ij − max_j x_ij) in row i of {@code expOut}. */
  private static double logSumExpRow(Tensor x, int i, Tensor expOut) {
    int d = x.cols();
    int xo = x.offset() + i * d;
    int eo = expOut.offset() + i * d;
    if (x.isFloat32()) {
      float mx = Kernels.max(x.floats(), xo, d);
      if (mx == Float.NEGATIVE_INFINITY) {
        return Double.NEGATIVE_INFINITY;
      }
      float s = Kernels.expShifted(x.floats(), xo, mx, expOut.floats(), eo, d);
      return mx + Math.log(s);
    }
    double mx = Double.NEGATIVE_INFINITY;
    for (int j = 0; j < d; j++) {
      mx = Math.max(mx, x.doubles()[xo + j]);
    }
    if (mx == Double.NEGATIVE_INFINITY) {
      return mx;
    }
    double s = 0;
    for (int j = 0; j < d; j++) {
      double e = Math.exp(x.doubles()[xo + j] - mx);
      expOut.doubles()[eo + j] = e;
      s += e;
    }
    return mx + Math.log(s);
  }

  /**
   * A float32 element-wise op split over the kernel threads by rows when the tensor is large enough
   * to pay for it (activations at batch 1024 are); one reusable instance per calling thread, so a
   * training step allocates nothing. Each element is computed by one thread with the same
   * arithmetic either way.
   */
  private static final class RowSplit implements Kernels.ChunkBody {
    static final ThreadLocal<RowSplit> LOCAL = ThreadLocal.withInitial(RowSplit::new);
    static final int RELU = 0;
    static final int RELU_BACKWARD = 1;
    static final int ADD_ROW = 2;
    static final int AXPY = 3;
    static final int SCALE = 4;
    static final int ADD_ROW_RELU = 5;
    private static final int MIN_ELEMENTS = 1 << 15;
    private int kind;
    private int rows;
    private int cols;
    private int chunks;
    private float alpha;
    private boolean accumulate;
    private float[] x;
    private float[] y;
    private float[] out;
    private int xo;
    private int yo;
    private int oo;

    /**
     * RELU: out = max(x, 0); RELU_BACKWARD: out (+)= (x &gt; 0 ? y : 0); ADD_ROW: out = x + y (a
     * row vector); AXPY: out += α·x; SCALE: out = α·x; ADD_ROW_RELU: out = max(x + y, 0).
     */
    void run(int kind, Tensor x, Tensor y, Tensor out, float alpha, boolean accumulate) {
      this.kind = kind;
      this.rows = x.rows();
      this.cols = x.cols();
      this.alpha = alpha;
      this.accumulate = accumulate;
      this.x = x.floats();
      this.xo = x.offset();
      this.y = y == null ? null : y.floats();
      this.yo = y == null ? 0 : y.offset();
      this.out = out.floats();
      this.oo = out.offset();
      boolean split = (long) rows * cols >= MIN_ELEMENTS && rows > 1;
      chunks = split ? Math.min(rows, Kernels.threads()) : 1;
      try {
        if (chunks == 1) {
          runChunk(0);
        } else {
          Kernels.parallelFor(chunks, this);
        }
      } finally {
        this.x = null;
        this.y = null;
        this.out = null;
      }
    }

    @Override
    public void runChunk(int chunk) {
      int from = (int) ((long) rows * chunk / chunks);
      int to = (int) ((long) rows * (chunk + 1) / chunks);
      int off = from * cols;
      int n = (to - from) * cols;
      switch (kind) {
        case RELU:
          Kernels.relu(x, xo + off, out, oo + off, n);
          break;
        case RELU_BACKWARD:
          Kernels.reluBackward(x, xo + off, y, yo + off, accumulate, out, oo + off, n);
          break;
        case ADD_ROW:
        case ADD_ROW_RELU:
          for (int i = from; i < to; i++) {
            Kernels.add(x, xo + i * cols, y, yo, out, oo + i * cols, cols);
            if (kind == ADD_ROW_RELU) {
              Kernels.relu(out, oo + i * cols, out, oo + i * cols, cols);
            }
          }
          break;
        case AXPY:
          Kernels.axpy(alpha, x, xo + off, out, oo + off, n);
          break;
        case SCALE:
          Kernels.scale(alpha, x, xo + off, out, oo + off, n);
          break;
        default:
          throw new IllegalStateException("unknown element-wise op " + kind);
      }
    }
  }
}
