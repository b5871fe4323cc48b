package org.sbcnm.engine.ops;

import org.sbcnm.engine.autograd.Node;
import org.sbcnm.engine.autograd.Op;
import org.sbcnm.engine.autograd.Tape;
import org.sbcnm.engine.sparse.CsrMatrix;

/**
 * Sparse × dense {@code y = S·x} with a constant CSR matrix S [n, m] and x [m, d] (one GCN
 * propagation hop when S is the normalised adjacency). Backward: dx += Sᵀ·g.
 */
public final class SparseDense implements Op {
  static final SparseDense INSTANCE = new SparseDense();

  private SparseDense() {}

  /** What backward needs: the sparse factor S of y = S·x. */
  private static final class Saved {
    CsrMatrix matrix;
  }

  public static Node multiply(Tape tape, CsrMatrix s, Node x) {
    Node y = tape.newNode(INSTANCE, x.dtype(), s.rows(), x.cols());
    y.addParent(x);
    y.save(Saved.class, Saved::new).matrix = s;
    s.multiply(x.value(), y.value(), false);
    return y;
  }

  @Override
  public String name() {
    return "spmm";
  }

  @Override
  public void backward(Node y) {
    Node x = y.parent(0);
    if (x.requiresGrad()) {
      y.saved(Saved.class).matrix.transposeMultiplyAdd(y.grad(), x.gradForAccumulate());
    }
  }
}
