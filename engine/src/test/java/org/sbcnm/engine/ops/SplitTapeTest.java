package org.sbcnm.engine.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.sbcnm.engine.autograd.Node;
import org.sbcnm.engine.autograd.Tape;
import org.sbcnm.engine.param.Parameter;
import org.sbcnm.engine.tensor.Tensor;

/**
 * A model recorded on two tapes, its first part on one and the rest on another that takes the first
 * part's output as a leaf, gets the same gradients as on one tape, bit for bit, when the second
 * tape's gradient of that leaf is fed to {@link Tape#backward(Node, Tensor)}.
 */
class SplitTapeTest {
  private static Tensor random(SplittableRandom rng, int rows, int cols) {
    Tensor t = Tensor.zeros(rows, cols);
    for (int i = 0; i < t.size(); i++) {
      t.setFlat(i, rng.nextGaussian());
    }
    return t;
  }

  /** part(x) = L2Normalize(relu(x·Wᵀ + b)); the rest: Σ part ⊙ r + Σ part. */
  private static Node part(Tape t, Tensor x, Parameter w, Parameter b) {
    Node h = Relu.apply(t, Bias.add(t, MatMul.abT(t, t.input(x), t.param(w)), t.param(b)));
    return L2Normalize.rows(t, h);
  }

  private static Node rest(Tape t, Node y, Tensor r) {
    return Elementwise.add(
        t, Elementwise.sum(t, Elementwise.mul(t, y, t.constant(r))), Elementwise.sum(t, y));
  }

  @Test
  void twoTapesGiveTheGradientsOfOne() {
    SplittableRandom rng = new SplittableRandom(3);
    Tensor x = random(rng, 37, 11);
    Tensor r = random(rng, 37, 9);
    Parameter w = new Parameter("w", random(rng, 9, 11), false);
    Parameter b = new Parameter("b", random(rng, 1, 9), false);

    Tape one = new Tape();
    float[] wGrad;
    float[] bGrad;
    float[] xGrad;
    try (Tape t = one.begin()) {
      Node y = part(t, x, w, b);
      t.backward(rest(t, y, r));
      xGrad = firstInputGrad(t, y);
      wGrad = w.grad().floats().clone();
      bGrad = b.grad().floats().clone();
    }
    w.zeroGrad();
    b.zeroGrad();

    Tape first = new Tape();
    Tape second = new Tape();
    try (Tape t1 = first.begin();
        Tape t2 = second.begin()) {
      Node y = part(t1, x, w, b);
      Node leaf = t2.input(y.value());
      t2.backward(rest(t2, leaf, r));
      t1.backward(y, leaf.grad());
      assertArrayEquals(wGrad, w.grad().floats());
      assertArrayEquals(bGrad, b.grad().floats());
      assertArrayEquals(xGrad, firstInputGrad(t1, y));
    }
  }

  /** The gradient of the x input of {@link #part}: the input leaf of its first matmul. */
  private static float[] firstInputGrad(Tape t, Node y) {
    Node n = y;
    while (n.parentCount() > 0) {
      n = n.parent(0);
    }
    return n.grad().floats().clone();
  }

  @Test
  void aSeedOfTheWrongShapeOrTapeIsRefused() {
    Tape tape = new Tape();
    Tape other = new Tape();
    try (Tape t = tape.begin();
        Tape o = other.begin()) {
      Node y = Relu.apply(t, t.input(Tensor.zeros(2, 3)));
      IllegalArgumentException shape =
          assertThrows(IllegalArgumentException.class, () -> t.backward(y, Tensor.zeros(3, 2)));
      assertEquals(
          "backward: gradient [3, 2] FLOAT32 does not match output [2, 3] FLOAT32",
          shape.getMessage());
      IllegalArgumentException foreign =
          assertThrows(IllegalArgumentException.class, () -> o.backward(y, Tensor.zeros(2, 3)));
      assertEquals("backward: node is not part of this tape's scope", foreign.getMessage());
      Node constant = Relu.apply(t, t.constant(Tensor.zeros(2, 3)));
      assertThrows(IllegalArgumentException.class, () -> t.backward(constant, Tensor.zeros(2, 3)));
    }
  }
}
