package org.sbcnm.engine.ops;

import org.sbcnm.engine.autograd.Node;
import org.sbcnm.engine.autograd.Op;
import org.sbcnm.engine.autograd.Tape;
import org.sbcnm.engine.kernel.MatrixOps;
import org.sbcnm.engine.tensor.Shapes;
import org.sbcnm.engine.tensor.Tensor;

/**
 * Element-wise arithmetic on equal shapes: {@code a + b} (da += g, db += g), {@code a ⊙ b} (da += g
 * ⊙ b, db += g ⊙ a), {@code s·x} (dx += s·g), and {@code Σ x} to a [1, 1] node (dx += g).
 */
public final class Elementwise implements Op {
  private static final Elementwise ADD = new Elementwise("add");
  private static final Elementwise MUL = new Elementwise("mul");
  private static final Elementwise SCALE = new Elementwise("scale");
  private static final Elementwise SUM = new Elementwise("sum");
  private final String name;

  private Elementwise(String name) {
    this.name = name;
  }

  public static Node add(Tape tape, Node a, Node b) {
    Shapes.check(a.value().sameShape(b.value()), "add", a.value(), b.value());
    Node y = binary(tape, ADD, a, b);
    MatrixOps.add(a.value(), b.value(), y.value());
    return y;
  }

  public static Node mul(Tape tape, Node a, Node b) {
    Shapes.check(a.value().sameShape(b.value()), "mul", a.value(), b.value());
    Node y = binary(tape, MUL, a, b);
    MatrixOps.mul(a.value(), b.value(), y.value());
    return y;
  }

  /** What the backward of {@link #scale} needs: the factor s of y = s·x. */
  private static final class Scale {
    double factor;
  }

  public static Node scale(Tape tape, Node x, double s) {
    Node y = tape.newNode(SCALE, x.dtype(), x.rows(), x.cols());
    y.addParent(x);
    y.save(Scale.class, Scale::new).factor = s;
    MatrixOps.scale(s, x.value(), y.value());
    return y;
  }

  /** Σ of all elements, as a [1, 1] node. */
  public static Node sum(Tape tape, Node x) {
    Node y = tape.newNode(SUM, x.dtype(), 1, 1);
    y.addParent(x);
    Tensor v = x.value();
    double s = 0;
    for (int k = 0; k < v.size(); k++) {
      s += v.getFlat(k);
    }
    y.value().setFlat(0, s);
    return y;
  }

  private static Node binary(Tape tape, Elementwise op, Node a, Node b) {
    Shapes.sameType(op.name, a.value(), b.value());
    Node y = tape.newNode(op, a.dtype(), a.rows(), a.cols());
    y.addParent(a);
    y.addParent(b);
    return y;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public void backward(Node y) {
    Tensor g = y.grad();
    Node a = y.parent(0);
    if (this == ADD || this == MUL) {
      Node b = y.parent(1);
      if (this == ADD) {
        if (a.requiresGrad()) {
          MatrixOps.axpy(1.0, g, a.gradForAccumulate());
        }
        if (b.requiresGrad()) {
          MatrixOps.axpy(1.0, g, b.gradForAccumulate());
        }
      } else {
        if (a.requiresGrad()) {
          MatrixOps.mulAdd(g, b.value(), a.gradForAccumulate());
        }
        if (b.requiresGrad()) {
          MatrixOps.mulAdd(g, a.value(), b.gradForAccumulate());
        }
      }
    } else if (this == SCALE) {
      if (a.requiresGrad()) {
        MatrixOps.axpy(y.saved(Scale.class).factor, g, a.gradForAccumulate());
      }
    } else if (a.requiresGrad()) {
      Tensor ga = a.gradForAccumulate();
      double s = g.getFlat(0);
      for (int k = 0; k < ga.size(); k++) {
        ga.setFlat(k, ga.getFlat(k) + s);
      }
    }
  }
}
