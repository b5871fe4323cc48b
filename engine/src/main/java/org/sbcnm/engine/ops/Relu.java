package org.sbcnm.engine.ops;

import org.sbcnm.engine.autograd.Node;
import org.sbcnm.engine.autograd.Op;
import org.sbcnm.engine.autograd.Tape;
import org.sbcnm.engine.kernel.MatrixOps;

/**
 * {@code y = max(x, 0)}. Backward: dx += g where y &gt; 0 (the subgradient at 0 is 0, as torch).
 */
public final class Relu implements Op {
  static final Relu INSTANCE = new Relu();

  private Relu() {}

  public static Node apply(Tape tape, Node x) {
    Node y = tape.newNode(INSTANCE, x.dtype(), x.rows(), x.cols());
    y.addParent(x);
    MatrixOps.relu(x.value(), y.value());
    return y;
  }

  @Override
  public String name() {
    return "relu";
  }

  @Override
  public void backward(Node y) {
    Node x = y.parent(0);
    if (x.requiresGrad()) {
      double beta = x.gradBeta();
      MatrixOps.reluBackward(y.value(), y.grad(), beta, x.gradForWrite());
    }
  }
}
