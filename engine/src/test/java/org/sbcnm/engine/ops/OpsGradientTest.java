package org.sbcnm.engine.ops;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.sbcnm.engine.autograd.Node;
import org.sbcnm.engine.param.Parameter;
import org.sbcnm.engine.sparse.CsrMatrix;
import org.sbcnm.engine.tensor.BitMatrix;
import org.sbcnm.engine.tensor.DType;
import org.sbcnm.engine.tensor.Tensor;
import org.sbcnm.engine.testing.GradCheck;
import org.sbcnm.engine.testing.RandomTensors;

/** Every op's backward rule against central differences, in float64. */
class OpsGradientTest {
  private static final DType D = DType.FLOAT64;
  private final SplittableRandom rng = new SplittableRandom(42);

  private Tensor t(int r, int c) {
    return RandomTensors.normal(D, r, c, rng);
  }

  @Test
  void matmulAllForms() {
    Tensor r = t(4, 3);
    GradCheck.check(
        "A·B",
        List.of(t(4, 5), t(5, 3)),
        List.of(),
        (tp, in) -> GradCheck.project(tp, MatMul.ab(tp, in[0], in[1]), r));
    GradCheck.check(
        "A·Bᵀ",
        List.of(t(4, 5), t(3, 5)),
        List.of(),
        (tp, in) -> GradCheck.project(tp, MatMul.abT(tp, in[0], in[1]), r));
    GradCheck.check(
        "Aᵀ·B",
        List.of(t(5, 4), t(5, 3)),
        List.of(),
        (tp, in) -> GradCheck.project(tp, MatMul.aTb(tp, in[0], in[1]), r));
    GradCheck.check(
        "αAᵀ·Bᵀ",
        List.of(t(5, 4), t(3, 5)),
        List.of(),
        (tp, in) -> GradCheck.project(tp, MatMul.apply(tp, in[0], in[1], true, true, 0.7), r));
  }

  @Test
  void biasReluAddMulScaleSum() {
    Tensor r = t(4, 6);
    GradCheck.check(
        "bias",
        List.of(t(4, 6), t(1, 6)),
        List.of(),
        (tp, in) -> GradCheck.project(tp, Bias.add(tp, in[0], in[1]), r));
    Tensor x = t(4, 6);
    for (int k = 0; k < x.size(); k++) {
      if (Math.abs(x.getFlat(k)) < 0.05) {
        x.setFlat(k, 0.3); // keep away from the kink, where differences are not derivatives
      }
    }
    GradCheck.check(
        "relu", List.of(x), List.of(), (tp, in) -> GradCheck.project(tp, Relu.apply(tp, in[0]), r));
    // Fused bias + ReLU, with x + b kept away from the kink: x and b both checked; b alone (x a
    // constant); and x used again after it, so its gradient is accumulated into (β = 1).
    Tensor bias = t(1, 6);
    Tensor xb = t(4, 6);
    for (int i = 0; i < 4; i++) {
      for (int j = 0; j < 6; j++) {
        if (Math.abs(xb.get(i, j) + bias.get(0, j)) < 0.05) {
          xb.set(i, j, xb.get(i, j) + 0.3);
        }
      }
    }
    GradCheck.check(
        "biasRelu",
        List.of(xb, bias),
        List.of(),
        (tp, in) -> GradCheck.project(tp, BiasRelu.apply(tp, in[0], in[1]), r));
    GradCheck.check(
        "biasRelu, bias only",
        List.of(bias),
        List.of(),
        (tp, in) -> GradCheck.project(tp, BiasRelu.apply(tp, tp.constant(xb), in[0]), r));
    GradCheck.check(
        "biasRelu, x used twice",
        List.of(xb, bias),
        List.of(),
        (tp, in) ->
            GradCheck.project(tp, Elementwise.add(tp, BiasRelu.apply(tp, in[0], in[1]), in[0]), r));
    GradCheck.check(
        "add",
        List.of(t(4, 6), t(4, 6)),
        List.of(),
        (tp, in) -> GradCheck.project(tp, Elementwise.add(tp, in[0], in[1]), r));
    GradCheck.check(
        "mul",
        List.of(t(4, 6), t(4, 6)),
        List.of(),
        (tp, in) -> GradCheck.project(tp, Elementwise.mul(tp, in[0], in[1]), r));
    GradCheck.check(
        "scale",
        List.of(t(4, 6)),
        List.of(),
        (tp, in) -> GradCheck.project(tp, Elementwise.scale(tp, in[0], -2.5), r));
    GradCheck.check("sum", List.of(t(4, 6)), List.of(), (tp, in) -> Elementwise.sum(tp, in[0]));
    GradCheck.check(
        "shared input",
        List.of(t(4, 6)),
        List.of(),
        (tp, in) -> GradCheck.project(tp, Elementwise.mul(tp, in[0], in[0]), r));
  }

  @Test
  void concatAndNormalize() {
    Tensor r = t(3, 7);
    GradCheck.check(
        "concat",
        List.of(t(3, 2), t(3, 4), t(3, 1)),
        List.of(),
        (tp, in) -> GradCheck.project(tp, Concat.columns(tp, in, 3), r));
    GradCheck.check(
        "concat2",
        List.of(t(3, 3), t(3, 4)),
        List.of(),
        (tp, in) -> GradCheck.project(tp, Concat.columns(tp, in[0], in[1]), r));
    Tensor r5 = t(3, 5);
    GradCheck.check(
        "l2normalize",
        List.of(t(3, 5)),
        List.of(),
        (tp, in) -> GradCheck.project(tp, L2Normalize.rows(tp, in[0]), r5));
  }

  @Test
  void embeddingGatherAndBags() {
    Parameter table = new Parameter("emb", t(6, 3), true);
    Parameter dense = new Parameter("dense", t(6, 3), false);
    int[] ids = {9, 4, 1, 4, 0};
    Tensor r = t(3, 3);
    GradCheck.check(
        "gather sparse",
        List.of(),
        List.of(table),
        (tp, in) -> GradCheck.project(tp, Embedding.gather(tp, tp.param(table), ids, 1, 3), r));
    GradCheck.check(
        "gather dense",
        List.of(),
        List.of(dense),
        (tp, in) -> GradCheck.project(tp, Embedding.gather(tp, tp.param(dense), ids, 1, 3), r));
    int[] bagIds = {1, 2, 2, 5, 0, 3};
    int[] offsets = {0, 3, 3, 4, 6};
    Tensor rb = t(4, 3);
    GradCheck.check(
        "bagMean",
        List.of(),
        List.of(table),
        (tp, in) ->
            GradCheck.project(tp, Embedding.bagMean(tp, tp.param(table), offsets, 4, bagIds), rb));
    GradCheck.check(
        "gather of computed table",
        List.of(t(6, 3)),
        List.of(),
        (tp, in) ->
            GradCheck.project(
                tp, Embedding.gather(tp, Elementwise.scale(tp, in[0], 2), ids, 1, 3), r));
  }

  @Test
  void sparseDense() {
    CsrMatrix s =
        CsrMatrix.fromCoo(
            4,
            5,
            new int[] {0, 0, 1, 3, 3, 2},
            new int[] {1, 4, 2, 0, 0, 3},
            new double[] {0.5, -1, 2, 1, 0.25, 3});
    Tensor r = t(4, 3);
    GradCheck.check(
        "spmm",
        List.of(t(5, 3)),
        List.of(),
        (tp, in) -> GradCheck.project(tp, SparseDense.multiply(tp, s, in[0]), r));
  }

  @Test
  void softmaxCrossEntropyEveryOption() {
    int[] items = {3, 5, 3, 8};
    BitMatrix mask = new BitMatrix(4, 6);
    for (int i = 0; i < 4; i++) {
      for (int j = 0; j < 4; j++) {
        if (i != j && items[i] == items[j]) {
          mask.set(i, j);
        }
      }
    }
    Tensor c = t(1, 6);
    Tensor w = Tensor.of(D, new double[][] {{1.0}, {0.5}, {2.0}, {0.0}});
    GradCheck.check(
        "ce plain",
        List.of(t(4, 6)),
        List.of(),
        (tp, in) -> SoftmaxCrossEntropy.apply(tp, in[0], null, null, null, null));
    GradCheck.check(
        "ce all",
        List.of(t(4, 6)),
        List.of(),
        (tp, in) -> SoftmaxCrossEntropy.apply(tp, in[0], null, w, c, mask));
    GradCheck.check(
        "ce targets",
        List.of(t(4, 6)),
        List.of(),
        (tp, in) -> SoftmaxCrossEntropy.apply(tp, in[0], new int[] {5, 0, 2, 2}, w, c, null));
    Tensor counts = Tensor.of(D, new double[][] {{2, 1, 3, 1, 1, 4}});
    for (boolean targetOnce : new boolean[] {false, true}) {
      GradCheck.check(
          "ce counts, target once " + targetOnce,
          List.of(t(4, 6)),
          List.of(),
          (tp, in) ->
              SoftmaxCrossEntropy.apply(
                  tp, in[0], new int[] {5, 0, 2, 2}, w, c, null, counts, targetOnce));
    }
  }

  @Test
  void composedTowerAndScores() {
    Parameter w1 = new Parameter("w1", t(4, 3), false);
    Parameter b1 = new Parameter("b1", t(1, 4), false);
    Parameter w2 = new Parameter("w2", t(2, 4), false);
    Tensor items = t(5, 2);
    GradCheck.check(
        "tower",
        List.of(t(5, 3)),
        List.of(w1, b1, w2),
        (tp, in) -> {
          Node h = Relu.apply(tp, Bias.add(tp, MatMul.abT(tp, in[0], tp.param(w1)), tp.param(b1)));
          Node q = L2Normalize.rows(tp, MatMul.abT(tp, h, tp.param(w2)));
          Node v = L2Normalize.rows(tp, tp.constant(items));
          Node logits = MatMul.apply(tp, q, v, false, true, 1 / 0.1);
          return SoftmaxCrossEntropy.apply(tp, logits, null, null, null, null);
        });
  }
}
