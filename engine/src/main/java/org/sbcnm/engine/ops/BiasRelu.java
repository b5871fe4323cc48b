package org.sbcnm.engine.ops;

import org.sbcnm.engine.autograd.Node;
import org.sbcnm.engine.autograd.Op;
import org.sbcnm.engine.autograd.Tape;
import org.sbcnm.engine.kernel.MatrixOps;
import org.sbcnm.engine.tensor.Shapes;
import org.sbcnm.engine.tensor.Tensor;

/**
 * Bias add then ReLU, fused: {@code y = max(x + b, 0)}, x [n, d], b [1, d]. Backward: with g the
 * gradient of y and m = g where y &gt; 0 (else 0), dx += m and db += Σ_rows m.
 *
 * <p>The same values, bit for bit, as {@link Bias#add} followed by {@link Relu#apply}, in one pass
 * over the activations each way instead of two: forward, each row is biased and clipped while it is
 * in cache; backward, the masked gradient is written straight into x's gradient, where the separate
 * ops wrote it and then copied it.
 */
public final class BiasRelu implements Op {
  static final BiasRelu INSTANCE = new BiasRelu();

  private BiasRelu() {}

  public static Node apply(Tape tape, Node x, Node b) {
    Shapes.check(b.rows() == 1 && b.cols() == x.cols(), "addBiasRelu", x.value(), b.value());
    Shapes.sameType("addBiasRelu", x.value(), b.value());
    Node y = tape.newNode(INSTANCE, x.dtype(), x.rows(), x.cols());
    y.addParent(x);
    y.addParent(b);
    MatrixOps.addRowVectorRelu(x.value(), b.value(), y.value());
    return y;
  }

  @Override
  public String name() {
    return "addBiasRelu";
  }

  @Override
  public void backward(Node y) {
    Node x = y.parent(0);
    Node b = y.parent(1);
    Tensor masked = null;
    if (x.requiresGrad()) {
      double beta = x.gradBeta();
      MatrixOps.reluBackward(y.value(), y.grad(), beta, x.gradForWrite());
      if (beta == 0) {
        // x's gradient now holds exactly the masked gradient: sum it, don't recompute it.
        masked = x.grad();
      }
    }
    if (b.requiresGrad()) {
      if (masked == null) {
        masked = y.scratch(0, y.dtype(), y.rows(), y.cols());
        MatrixOps.reluBackward(y.value(), y.grad(), 0, masked);
      }
      MatrixOps.addColumnSums(masked, b.gradForAccumulate());
    }
  }
}
