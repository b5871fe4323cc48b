package org.sbcnm.engine.ops;

import org.sbcnm.engine.autograd.Node;
import org.sbcnm.engine.autograd.Op;
import org.sbcnm.engine.autograd.Tape;
import org.sbcnm.engine.tensor.Shapes;
import org.sbcnm.engine.tensor.Tensor;

/**
 * Column concatenation {@code y = [x₁ | x₂ | …]}: every part has the same row count n; y is [n, Σ
 * dₖ]. Backward: each part's gradient is its column slice of g.
 */
public final class Concat implements Op {
  static final Concat INSTANCE = new Concat();

  private Concat() {}

  /** Concatenates {@code parts[0..count)} by columns. The array is read, not kept. */
  public static Node columns(Tape tape, Node[] parts, int count) {
    if (count < 1) {
      throw new IllegalArgumentException("concat: no parts");
    }
    int n = parts[0].rows();
    int width = 0;
    for (int p = 0; p < count; p++) {
      Shapes.check(parts[p].rows() == n, "concat", parts[0].value(), parts[p].value());
      Shapes.sameType("concat", parts[0].value(), parts[p].value());
      width += parts[p].cols();
    }
    Node y = tape.newNode(INSTANCE, parts[0].dtype(), n, width);
    int col = 0;
    for (int p = 0; p < count; p++) {
      y.addParent(parts[p]);
      copyColumns(parts[p].value(), y.value(), col, true);
      col += parts[p].cols();
    }
    return y;
  }

  /** Concatenates two parts by columns. */
  public static Node columns(Tape tape, Node a, Node b) {
    Node y = tape.newNode(INSTANCE, a.dtype(), a.rows(), a.cols() + b.cols());
    Shapes.check(a.rows() == b.rows(), "concat", a.value(), b.value());
    Shapes.sameType("concat", a.value(), b.value());
    y.addParent(a);
    y.addParent(b);
    copyColumns(a.value(), y.value(), 0, true);
    copyColumns(b.value(), y.value(), a.cols(), true);
    return y;
  }

  /** Copies part into wide[:, col..] (toWide) or accumulates wide[:, col..] into part. */
  private static void copyColumns(Tensor part, Tensor wide, int col, boolean toWide) {
    int d = part.cols();
    int w = wide.cols();
    for (int i = 0; i < part.rows(); i++) {
      int po = part.offset() + i * d;
      int wo = wide.offset() + i * w + col;
      if (part.isFloat32()) {
        if (toWide) {
          System.arraycopy(part.floats(), po, wide.floats(), wo, d);
        } else {
          float[] pf = part.floats();
          float[] wf = wide.floats();
          for (int j = 0; j < d; j++) {
            pf[po + j] += wf[wo + j];
          }
        }
      } else {
        if (toWide) {
          System.arraycopy(part.doubles(), po, wide.doubles(), wo, d);
        } else {
          double[] pd = part.doubles();
          double[] wd = wide.doubles();
          for (int j = 0; j < d; j++) {
            pd[po + j] += wd[wo + j];
          }
        }
      }
    }
  }

  @Override
  public String name() {
    return "concat";
  }

  @Override
  public void backward(Node y) {
    int col = 0;
    for (int p = 0; p < y.parentCount(); p++) {
      Node part = y.parent(p);
      if (part.requiresGrad()) {
        copyColumns(part.gradForAccumulate(), y.grad(), col, false);
      }
      col += part.cols();
    }
  }
}
