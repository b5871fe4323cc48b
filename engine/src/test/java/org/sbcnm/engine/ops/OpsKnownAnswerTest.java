package org.sbcnm.engine.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.sbcnm.engine.autograd.Node;
import org.sbcnm.engine.autograd.Tape;
import org.sbcnm.engine.param.Parameter;
import org.sbcnm.engine.sparse.CsrMatrix;
import org.sbcnm.engine.tensor.BitMatrix;
import org.sbcnm.engine.tensor.DType;
import org.sbcnm.engine.tensor.Tensor;

/** One hand-computed case per op, in float32 (the precision training runs in). */
class OpsKnownAnswerTest {
  private static Tensor m(double[]... rows) {
    return Tensor.of(DType.FLOAT32, rows);
  }

  private static void assertTensor(double[][] expected, Tensor actual, double tol) {
    assertEquals(expected.length, actual.rows());
    for (int i = 0; i < expected.length; i++) {
      for (int j = 0; j < expected[i].length; j++) {
        assertEquals(expected[i][j], actual.get(i, j), tol, "(" + i + ", " + j + ")");
      }
    }
  }

  @Test
  void forwardValues() {
    Tape tape = new Tape();
    try (Tape t = tape.begin()) {
      Node a = t.constant(m(new double[] {1, -2}, new double[] {3, 4}));
      Node b = t.constant(m(new double[] {0.5, 1}, new double[] {-1, 2}));
      assertTensor(new double[][] {{2.5, -3}, {-2.5, 11}}, MatMul.ab(t, a, b).value(), 0);
      assertTensor(new double[][] {{-1.5, -5}, {5.5, 5}}, MatMul.abT(t, a, b).value(), 0);
      assertTensor(new double[][] {{-2.5, 7}, {-5, 6}}, MatMul.aTb(t, a, b).value(), 0);
      assertTensor(
          new double[][] {{1.5, -1}, {3.5, 5}},
          Bias.add(t, a, t.constant(m(new double[] {0.5, 1}))).value(),
          0);
      assertTensor(new double[][] {{1, 0}, {3, 4}}, Relu.apply(t, a).value(), 0);
      assertTensor(
          new double[][] {{1.5, 0}, {3.5, 5}},
          BiasRelu.apply(t, a, t.constant(m(new double[] {0.5, 1}))).value(),
          0);
      assertTensor(new double[][] {{1.5, -1}, {2, 6}}, Elementwise.add(t, a, b).value(), 0);
      assertTensor(new double[][] {{0.5, -2}, {-3, 8}}, Elementwise.mul(t, a, b).value(), 0);
      assertTensor(new double[][] {{2, -4}, {6, 8}}, Elementwise.scale(t, a, 2).value(), 0);
      assertTensor(new double[][] {{6}}, Elementwise.sum(t, a).value(), 0);
      assertTensor(
          new double[][] {{1, -2, 0.5, 1}, {3, 4, -1, 2}}, Concat.columns(t, a, b).value(), 0);
      assertTensor(
          new double[][] {{0.6, 0.8}},
          L2Normalize.rows(t, t.constant(m(new double[] {3, 4}))).value(),
          1e-7);
      assertTensor(
          new double[][] {{0, 0}},
          L2Normalize.rows(t, t.constant(m(new double[] {0, 0}))).value(),
          0);
      Node table = t.constant(m(new double[] {1, 1}, new double[] {2, 4}, new double[] {6, 0}));
      assertTensor(
          new double[][] {{6, 0}, {1, 1}},
          Embedding.gather(t, table, new int[] {2, 0}, 0, 2).value(),
          0);
      assertTensor(
          new double[][] {{4, 2}, {0, 0}, {2, 4}},
          Embedding.bagMean(t, table, new int[] {0, 2, 2, 3}, 3, new int[] {1, 2, 1}).value(),
          0);
      CsrMatrix s =
          CsrMatrix.fromCoo(1, 3, new int[] {0, 0}, new int[] {0, 2}, new double[] {2, -1});
      assertTensor(new double[][] {{-4, 2}}, SparseDense.multiply(t, s, table).value(), 0);
    }
  }

  @Test
  void crossEntropyClosedForm() {
    // Softmax minus one-hot after the log-probability correction.
    Tape tape = new Tape();
    double[][] z = {{1, 2, 0}, {0.5, -1, 3}};
    double[] c = {-0.1, 0.4, -2};
    try (Tape t = tape.begin()) {
      Node logits = t.input(m(z));
      Node loss =
          SoftmaxCrossEntropy.apply(t, logits, null, null, Tensor.row(DType.FLOAT32, c), null);
      double expectedLoss = 0;
      double[][] grad = new double[2][3];
      for (int i = 0; i < 2; i++) {
        double s = 0;
        for (int j = 0; j < 3; j++) {
          s += Math.exp(z[i][j] + c[j]);
        }
        expectedLoss += Math.log(s) - (z[i][i] + c[i]);
        for (int j = 0; j < 3; j++) {
          grad[i][j] = (Math.exp(z[i][j] + c[j]) / s - (i == j ? 1 : 0)) / 2;
        }
      }
      assertEquals(expectedLoss / 2, loss.value().get(0, 0), 1e-6);
      t.backward(loss);
      assertTensor(grad, logits.grad(), 1e-6);
    }
  }

  @Test
  void countedColumnsAreTheExpandedColumnsSummed() {
    // Five distinct columns with counts 2, 1, 3, 1, 2 against the nine columns they stand for,
    // the four rows' targets first (copies of distinct columns 0, 2, 0, 4). With accidental hits
    // masked in the expanded logits, each target counts once in the counted ones.
    int[] distinctOf = {0, 2, 0, 4, 1, 2, 2, 3, 4};
    int[] targets = {0, 2, 0, 4};
    double[][] counts = {{2, 1, 3, 1, 2}};
    SplittableRandom rnd = new SplittableRandom(5);
    double[][] z = new double[4][5];
    double[][] c = new double[1][5];
    for (int j = 0; j < 5; j++) {
      c[0][j] = rnd.nextDouble() * 2 - 1;
      for (int i = 0; i < 4; i++) {
        z[i][j] = rnd.nextDouble() * 4 - 2;
      }
    }
    double[][] zx = new double[4][9];
    double[][] cx = new double[1][9];
    BitMatrix hits = new BitMatrix(4, 9);
    for (int j = 0; j < 9; j++) {
      cx[0][j] = c[0][distinctOf[j]];
      for (int i = 0; i < 4; i++) {
        zx[i][j] = z[i][distinctOf[j]];
        if (j != i && distinctOf[j] == distinctOf[i]) {
          hits.set(i, j);
        }
      }
    }
    Tensor w = Tensor.of(DType.FLOAT64, new double[][] {{1}, {0.5}, {2}, {1.5}});
    for (boolean masked : new boolean[] {false, true}) {
      for (DType type : new DType[] {DType.FLOAT64, DType.FLOAT32}) {
        double tol = type == DType.FLOAT64 ? 1e-13 : 2e-6;
        Tape tape = new Tape();
        double expandedLoss;
        double[][] summed = new double[4][5];
        try (Tape t = tape.begin()) {
          Node logits = t.input(Tensor.of(type, zx));
          Node loss =
              SoftmaxCrossEntropy.apply(
                  t, logits, null, w, Tensor.of(type, cx), masked ? hits : null);
          expandedLoss = loss.value().get(0, 0);
          t.backward(loss);
          for (int i = 0; i < 4; i++) {
            for (int j = 0; j < 9; j++) {
              summed[i][distinctOf[j]] += logits.grad().get(i, j);
            }
          }
        }
        try (Tape t = tape.begin()) {
          Node logits = t.input(Tensor.of(type, z));
          Node loss =
              SoftmaxCrossEntropy.apply(
                  t, logits, targets, w, Tensor.of(type, c), null, Tensor.of(type, counts), masked);
          String what = "masked " + masked + ", " + type;
          assertEquals(expandedLoss, loss.value().get(0, 0), tol, what);
          t.backward(loss);
          assertTensor(summed, logits.grad(), tol);
        }
      }
    }
  }

  @Test
  void columnCountsBelowOneAreRefused() {
    Tape tape = new Tape();
    try (Tape t = tape.begin()) {
      Node logits = t.input(m(new double[] {0, 1}, new double[] {1, 0}));
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class,
              () ->
                  SoftmaxCrossEntropy.apply(
                      t, logits, null, null, null, null, m(new double[] {1, 0.5}), false));
      assertEquals(
          "softmaxCrossEntropy: column 1 count 0.5 is not finite and >= 1", e.getMessage());
    }
  }

  @Test
  void maskedColumnsGetNoProbability() {
    Tape tape = new Tape();
    BitMatrix mask = new BitMatrix(2, 2);
    mask.set(0, 1);
    try (Tape t = tape.begin()) {
      Node logits = t.input(m(new double[] {0, 5}, new double[] {0, 0}));
      Node loss = SoftmaxCrossEntropy.apply(t, logits, null, null, null, mask);
      // Row 0 sees only its target: loss 0. Row 1: log 2.
      assertEquals(Math.log(2) / 2, loss.value().get(0, 0), 1e-6);
      t.backward(loss);
      assertTensor(new double[][] {{0, 0}, {0.25, -0.25}}, logits.grad(), 1e-7);
    }
  }

  @Test
  void sparseEmbeddingMarksOnlyTouchedRows() {
    Parameter emb = new Parameter("emb", Tensor.zeros(10, 2).fill(1), true);
    Tape tape = new Tape();
    try (Tape t = tape.begin()) {
      Node y = Embedding.gather(t, t.param(emb), new int[] {7, 2, 7}, 0, 3);
      t.backward(Elementwise.sum(t, y));
    }
    assertEquals(2, emb.touchedCount());
    assertArrayEquals(new int[] {7, 2}, java.util.Arrays.copyOf(emb.touchedRows(), 2));
    assertEquals(2.0, emb.grad().get(7, 0));
    assertEquals(1.0, emb.grad().get(2, 1));
    emb.zeroGrad();
    assertEquals(0.0, emb.grad().get(7, 0));
    assertEquals(0, emb.touchedCount());
  }

  @Test
  void fusedBiasReluIsBiasThenReluBitForBit() {
    // 300 × 200 floats: large enough that the element-wise kernels split across threads.
    SplittableRandom rng = new SplittableRandom(5);
    Tensor x = Tensor.zeros(300, 200);
    Tensor g = Tensor.zeros(300, 200);
    Tensor b = Tensor.zeros(1, 200);
    for (Tensor z : new Tensor[] {x, g, b}) {
      for (int k = 0; k < z.size(); k++) {
        z.setFlat(k, rng.nextGaussian());
      }
    }
    float[][] fused = biasReluGradients(x, b, g, true);
    float[][] separate = biasReluGradients(x, b, g, false);
    for (int k = 0; k < fused.length; k++) {
      assertArrayEquals(separate[k], fused[k], "output " + k);
    }
  }

  /** y, dx and db of Σ g ⊙ max(x + b, 0), by the fused op or by the two separate ones. */
  private static float[][] biasReluGradients(Tensor x, Tensor b, Tensor g, boolean fused) {
    Tape tape = new Tape();
    try (Tape t = tape.begin()) {
      Node xn = t.input(x);
      Node bn = t.input(b);
      Node y = fused ? BiasRelu.apply(t, xn, bn) : Relu.apply(t, Bias.add(t, xn, bn));
      t.backward(Elementwise.sum(t, Elementwise.mul(t, y, t.constant(g))));
      return new float[][] {
        y.value().floats().clone(), xn.grad().floats().clone(), bn.grad().floats().clone()
      };
    }
  }

  @Test
  void tapeReusesNodesAndBuffers() {
    Tape tape = new Tape();
    Tensor x = m(new double[] {1, 2});
    Tensor first;
    try (Tape t = tape.begin()) {
      first = Relu.apply(t, t.constant(x)).value();
    }
    try (Tape t = tape.begin()) {
      assertSame(first, Relu.apply(t, t.constant(x)).value());
    }
    assertThrows(IllegalStateException.class, () -> Relu.apply(tape, tape.constant(x)));
  }

  @Test
  void unreachedNodesHaveNoGradientAndErrorsAreClear() {
    Tape tape = new Tape();
    try (Tape t = tape.begin()) {
      Node a = t.input(m(new double[] {1, 2}));
      Node unused = t.input(m(new double[] {3, 4}));
      Node loss = Elementwise.sum(t, a);
      t.backward(loss);
      assertNull(unused.grad());
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> t.backward(a));
      assertEquals("backward: loss must be [1, 1], got [1, 2]", e.getMessage());
      IllegalArgumentException s =
          assertThrows(
              IllegalArgumentException.class,
              () -> MatMul.ab(t, a, t.constant(Tensor.zeros(3, 1))));
      assertEquals("matmul: [1, 2] x [3, 1]", s.getMessage());
    }
  }
}
