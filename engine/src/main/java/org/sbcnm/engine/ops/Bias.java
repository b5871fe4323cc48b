package org.sbcnm.engine.ops;

import org.sbcnm.engine.autograd.Node;
import org.sbcnm.engine.autograd.Op;
import org.sbcnm.engine.autograd.Tape;
import org.sbcnm.engine.kernel.MatrixOps;
import org.sbcnm.engine.tensor.Shapes;

/**
 * Bias add, broadcast over rows: {@code y = x + b}, x [n, d], b [1, d]. Backward: dx += g, db +=
 * Σ_rows g.
 */
public final class Bias implements Op {
  static final Bias INSTANCE = new Bias();

  private Bias() {}

  public static Node add(Tape tape, Node x, Node b) {
    Shapes.check(b.rows() == 1 && b.cols() == x.cols(), "addBias", x.value(), b.value());
    Node y = tape.newNode(INSTANCE, x.dtype(), x.rows(), x.cols());
    y.addParent(x);
    y.addParent(b);
    MatrixOps.addRowVector(x.value(), b.value(), y.value());
    return y;
  }

  @Override
  public String name() {
    return "addBias";
  }

  @Override
  public void backward(Node y) {
    Node x = y.parent(0);
    Node b = y.parent(1);
    if (x.requiresGrad()) {
      if (x.gradBeta() == 0) {
        // A copy; scale by 1 is exact and splits over the kernel threads.
        MatrixOps.scale(1.0, y.grad(), x.gradForWrite());
      } else {
        MatrixOps.axpy(1.0, y.grad(), x.gradForWrite());
      }
    }
    if (b.requiresGrad()) {
      MatrixOps.addColumnSums(y.grad(), b.gradForAccumulate());
    }
  }
}
