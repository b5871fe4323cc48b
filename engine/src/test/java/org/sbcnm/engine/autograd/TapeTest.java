package org.sbcnm.engine.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.sbcnm.engine.ops.Elementwise;
import org.sbcnm.engine.ops.MatMul;
import org.sbcnm.engine.param.Parameter;
import org.sbcnm.engine.tensor.DType;
import org.sbcnm.engine.tensor.Tensor;

/** The tape's scopes, its backward walk's rules, node bookkeeping and the reused buffers. */
class TapeTest {
  private static Tensor t(float... v) {
    return Tensor.row(DType.FLOAT32, toDoubles(v));
  }

  private static double[] toDoubles(float[] v) {
    double[] d = new double[v.length];
    for (int i = 0; i < v.length; i++) {
      d[i] = v[i];
    }
    return d;
  }

  @Test
  void scopesOpenOnceAndCountTheirNodes() {
    Tape tape = new Tape();
    try (Tape s = tape.begin()) {
      s.constant(t(1, 2));
      s.input(t(3));
      assertEquals(2, s.size());
      assertThrows(IllegalStateException.class, tape::begin);
    }
    try (Tape s = tape.begin()) {
      assertEquals(0, s.size(), "a new scope starts empty");
    }
  }

  @Test
  void nodesNameThemselvesAndTheirParents() {
    Tape tape = new Tape();
    Parameter w = new Parameter("w", Tensor.zeros(1, 2).fill(1), false);
    try (Tape s = tape.begin()) {
      Node c = s.constant(t(1, 2));
      Node p = s.param(w);
      Node m = MatMul.apply(s, c, p, false, true, 1.0);
      assertEquals("leaf", c.opName());
      assertEquals("param:w", p.opName());
      assertEquals("Node#0(leaf, [1, 2])", c.toString());
      assertFalse(c.requiresGrad());
      assertTrue(p.requiresGrad());
      assertTrue(m.requiresGrad(), "a node requires a gradient when a parent does");
      assertSame(w, p.param());
      assertNull(c.param());
      assertEquals(2, m.parentCount());
      assertSame(c, m.parent(0));
      assertSame(p, m.parent(1));
      assertThrows(IndexOutOfBoundsException.class, () -> m.parent(2));
      Tape other = new Tape();
      try (Tape o = other.begin()) {
        Node foreign = o.constant(t(1));
        assertThrows(IllegalArgumentException.class, () -> m.addParent(foreign));
      }
    }
  }

  @Test
  void backwardRefusesWhatItCannotDifferentiate() {
    Tape tape = new Tape();
    Parameter w = new Parameter("w", Tensor.zeros(1, 2).fill(1), false);
    Tape other = new Tape();
    Node foreign;
    try (Tape o = other.begin()) {
      foreign = MatMul.apply(o, o.constant(t(1, 2)), o.param(w), false, true, 1.0);
    }
    try (Tape s = tape.begin()) {
      Node loss = MatMul.apply(s, s.constant(t(1, 2)), s.param(w), false, true, 1.0);
      assertThrows(
          IllegalArgumentException.class, () -> s.backward(foreign), "a node of another tape");
      Node wide = s.param(w);
      assertThrows(IllegalArgumentException.class, () -> s.backward(wide), "not [1, 1]");
      Node constant = s.constant(t(5));
      assertThrows(IllegalArgumentException.class, () -> s.backward(constant), "no gradient");
      assertThrows(
          IllegalArgumentException.class,
          () -> s.backward(wide, Tensor.zeros(1, 3)),
          "gradient of another shape");
      s.backward(loss);
    }
  }

  @Test
  void parameterGradientsAccumulateOverBackwardPassesAndSeedsScale() {
    Tape tape = new Tape();
    Parameter w = new Parameter("w", Tensor.zeros(1, 2).fill(1), false);
    for (int pass = 0; pass < 2; pass++) {
      try (Tape s = tape.begin()) {
        Node loss = MatMul.apply(s, s.constant(t(1, 2)), s.param(w), false, true, 1.0);
        s.backward(loss, pass == 0 ? 1.0 : 3.0);
      }
    }
    // d(x·wᵀ)/dw = x, seeded 1 then 3: the gradient sums to 4·x.
    assertArrayEquals(new float[] {4, 8}, w.grad().floats());
  }

  @Test
  void aNodeUsedTwiceGetsBothContributions() {
    Tape tape = new Tape();
    Parameter w = new Parameter("w", Tensor.zeros(1, 1).fill(3), false);
    try (Tape s = tape.begin()) {
      Node p = s.param(w);
      // loss = w · w: the gradient 2w reaches w through both parents of the product.
      Node loss = Elementwise.mul(s, p, p);
      s.backward(loss);
    }
    assertEquals(6f, w.grad().floats()[0]);
  }

  @Test
  void aDenseContributionMarksEverySparseRow() {
    Parameter table = new Parameter("table", Tensor.zeros(3, 2).fill(1), true);
    Tape tape = new Tape();
    try (Tape s = tape.begin()) {
      Node loss =
          MatMul.apply(
              s,
              s.constant(Tensor.zeros(1, 2).fill(1)),
              MatMul.apply(
                  s, s.constant(Tensor.zeros(1, 3).fill(1)), s.param(table), false, false, 1.0),
              false,
              true,
              1.0);
      s.backward(loss);
    }
    assertFalse(table.hasSparseGrad(), "a whole-table gradient is not row-sparse");
  }

  /** An op's saved state, as ops keep theirs. */
  private static final class Saved {
    int value;
  }

  @Test
  void savedStateIsTypedAndRecycledWithItsNode() {
    Tape tape = new Tape();
    Saved first;
    try (Tape s = tape.begin()) {
      Node n = Elementwise.scale(s, s.constant(t(1, 2)), 3);
      first = n.save(Saved.class, Saved::new);
      first.value = 7;
      assertSame(first, n.saved(Saved.class));
      assertEquals(7, n.saved(Saved.class).value);
      IllegalStateException e =
          assertThrows(IllegalStateException.class, () -> s.constant(t(1)).saved(Saved.class));
      assertEquals("leaf: no saved Saved", e.getMessage());
    }
    try (Tape s = tape.begin()) {
      s.constant(t(1, 2));
      Node again = s.constant(t(4, 5));
      assertSame(first, again.save(Saved.class, Saved::new), "the next step reuses the object");
      assertEquals(7, again.saved(Saved.class).value, "holding the last step's values");
      // Another op's state in the same node replaces it.
      assertNotSame(first, again.save(String.class, () -> "other"));
      assertThrows(IllegalStateException.class, () -> again.saved(Saved.class));
    }
  }

  @Test
  void buffersReuseViewsAndGrowByHalf() {
    Buffer b = new Buffer();
    Tensor a = b.get(DType.FLOAT32, 2, 3);
    assertEquals(6, a.floats().length, "the first allocation is exact");
    assertSame(a, b.get(DType.FLOAT32, 2, 3), "the same shape is the same view");
    Tensor wider = b.get(DType.FLOAT32, 2, 4);
    assertEquals(9, wider.floats().length, "8 needed, 6 + 3 given");
    assertNotSame(a.floats(), wider.floats());
    assertSame(wider.floats(), b.get(DType.FLOAT32, 3, 3).floats(), "9 fits");
    Tensor d = b.get(DType.FLOAT64, 1, 5);
    assertEquals(5, d.doubles().length);
    assertEquals(DType.FLOAT64, d.dtype());
    assertEquals(20, b.get(DType.FLOAT32, 4, 5).floats().length, "more than half: as needed");
  }
}
