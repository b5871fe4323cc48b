package org.sbcnm.engine.ops;

import org.sbcnm.engine.autograd.Node;
import org.sbcnm.engine.autograd.Op;
import org.sbcnm.engine.autograd.Tape;
import org.sbcnm.engine.kernel.MatrixOps;
import org.sbcnm.engine.tensor.Shapes;
import org.sbcnm.engine.tensor.Tensor;

/**
 * Matrix product in the three forms training needs: {@code C = A·B}, {@code C = A·Bᵀ} (a linear
 * layer with torch's [out, in] weights; the score matrix Q·Vᵀ) and {@code C = Aᵀ·B}, optionally
 * scaled by α.
 *
 * <p>Backward, with op(X) the possibly transposed operand: dop(A) = α·dC·op(B)ᵀ and dop(B) =
 * α·op(A)ᵀ·dC, each written straight into the stored orientation by choosing the GEMM form, so no
 * transpose is ever materialised.
 */
public final class MatMul implements Op {
  static final MatMul INSTANCE = new MatMul();

  private MatMul() {}

  /** What backward needs: C = α·op(A)·op(B) with op a transpose or not. */
  private static final class Saved {
    boolean transA;
    boolean transB;
    double alpha;
  }

  /** C = A·B; A [m, k], B [k, n]. */
  public static Node ab(Tape tape, Node a, Node b) {
    return apply(tape, a, b, false, false, 1.0);
  }

  /** C = A·Bᵀ; A [m, k], B [n, k]. */
  public static Node abT(Tape tape, Node a, Node b) {
    return apply(tape, a, b, false, true, 1.0);
  }

  /** C = Aᵀ·B; A [k, m], B [k, n]. */
  public static Node aTb(Tape tape, Node a, Node b) {
    return apply(tape, a, b, true, false, 1.0);
  }

  /** C = α·op(A)·op(B). */
  public static Node apply(
      Tape tape, Node a, Node b, boolean transA, boolean transB, double alpha) {
    Tensor av = a.value();
    Tensor bv = b.value();
    int m = transA ? av.cols() : av.rows();
    int k = transA ? av.rows() : av.cols();
    int kb = transB ? bv.cols() : bv.rows();
    int n = transB ? bv.rows() : bv.cols();
    if (k != kb) {
      Shapes.check(false, MatrixOps.matmulName(transA, transB), av, bv);
    }
    Shapes.sameType("matmul", av, bv);
    Node c = tape.newNode(INSTANCE, av.dtype(), m, n);
    c.addParent(a);
    c.addParent(b);
    Saved saved = c.save(Saved.class, Saved::new);
    saved.transA = transA;
    saved.transB = transB;
    saved.alpha = alpha;
    MatrixOps.gemm(transA, transB, alpha, av, bv, 0.0, c.value());
    return c;
  }

  @Override
  public String name() {
    return "matmul";
  }

  @Override
  public void backward(Node c) {
    Node a = c.parent(0);
    Node b = c.parent(1);
    Saved saved = c.saved(Saved.class);
    boolean ta = saved.transA;
    boolean tb = saved.transB;
    double alpha = saved.alpha;
    Tensor g = c.grad();
    if (a.requiresGrad()) {
      double beta = a.gradBeta();
      Tensor ga = a.gradForWrite();
      if (!ta) {
        MatrixOps.gemm(false, !tb, alpha, g, b.value(), beta, ga); // dA = g·op(B)ᵀ
      } else {
        MatrixOps.gemm(tb, true, alpha, b.value(), g, beta, ga); // dA = op(B)·gᵀ
      }
    }
    if (b.requiresGrad()) {
      double beta = b.gradBeta();
      Tensor gb = b.gradForWrite();
      if (!tb) {
        MatrixOps.gemm(!ta, false, alpha, a.value(), g, beta, gb); // dB = op(A)ᵀ·g
      } else {
        MatrixOps.gemm(true, ta, alpha, g, a.value(), beta, gb); // dB = gᵀ·op(A)
      }
    }
  }
}
