package org.sbcnm.engine.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.sbcnm.engine.kernel.Kernels;
import org.sbcnm.engine.param.Parameter;
import org.sbcnm.engine.tensor.DType;
import org.sbcnm.engine.tensor.Tensor;
import org.sbcnm.engine.testing.RandomTensors;

class OptimizerTest {
  private static Parameter scalar(double w, double g) {
    Parameter p = new Parameter("w", Tensor.row(DType.FLOAT32, w), false);
    p.grad().setFlat(0, g);
    return p;
  }

  private static double run(Optimizer o, double w, double g, int steps) {
    Parameter p = scalar(w, g);
    o.init(List.of(p));
    for (int s = 0; s < steps; s++) {
      o.step();
    }
    return p.value().getFlat(0);
  }

  @Test
  void knownAnswers() {
    // Adam with constant gradient: the bias-corrected ratio is 1, so each step moves by lr.
    assertEquals(0.8, run(Adam.adam(0.1), 1.0, 0.5, 2), 1e-6);
    // AdamW: w ← w(1 − lr·λ) − lr = 1·(1 − 0.1·0.5) − 0.1.
    assertEquals(0.85, run(Adam.adamW(0.1, 0.5), 1.0, 0.5, 1), 1e-6);
    // Adagrad: a = 0.25 then 0.5; w = 1 − 0.1·0.5/0.5 − 0.1·0.5/√0.5.
    assertEquals(1 - 0.1 - 0.1 * 0.5 / Math.sqrt(0.5), run(new Adagrad(0.1), 1.0, 0.5, 2), 1e-6);
    // Adagrad with TensorFlow's initial accumulator 0.1: a = 0.35.
    assertEquals(
        1 - 0.1 * 0.5 / Math.sqrt(0.35), run(new Adagrad(0.1, 0.1, 1e-10), 1.0, 0.5, 1), 1e-6);
    // SGD: 1 − 0.1·0.5·3; with momentum 0.9: v = 0.5, 0.95, 1.355.
    assertEquals(0.85, run(new Sgd(0.1, 0), 1.0, 0.5, 3), 1e-6);
    assertEquals(1 - 0.1 * (0.5 + 0.95 + 1.355), run(new Sgd(0.1, 0.9), 1.0, 0.5, 3), 1e-6);
  }

  @Test
  void l2WeightDecayAddsLambdaTimesWeightToTheGradient() {
    // w = 2, g = 0.5, λ = 0.25: the step sees g + λw = 1.
    assertEquals(2 - 0.1, run(new Sgd(0.1, 0, 0.25), 2.0, 0.5, 1), 1e-6);
    // Momentum: v₁ = 1 (w₁ = 1.9); v₂ = 0.9 + 0.5 + 0.25·1.9.
    assertEquals(
        1.9 - 0.1 * (0.9 + 0.5 + 0.25 * 1.9), run(new Sgd(0.1, 0.9, 0.25), 2.0, 0.5, 2), 1e-6);
    // Adagrad: a = 1, w = 2 − 0.1·1/1.
    assertEquals(2 - 0.1, run(new Adagrad(0.1, 0, 1e-10, 0.25), 2.0, 0.5, 1), 1e-6);
    // Adam's first step moves by lr whatever the gradient; with g + λw = 0 it does not move.
    assertEquals(2.0, run(Adam.adam(0.1, 0.25), 2.0, -0.5, 1), 1e-6);
    assertEquals(2.0, run(Adam.lazyAdam(0.1, 0.25), 2.0, -0.5, 1), 1e-6);
    assertEquals(2 - 0.1, run(Adam.adam(0.1, 0.25), 2.0, 0.5, 1), 1e-6);
    for (double bad : new double[] {-0.1, Double.NaN, Double.POSITIVE_INFINITY}) {
      assertThrows(IllegalArgumentException.class, () -> new Sgd(0.1, 0, bad));
      assertThrows(IllegalArgumentException.class, () -> new Adagrad(0.1, 0, 1e-10, bad));
      assertThrows(IllegalArgumentException.class, () -> Adam.adam(0.1, bad));
    }
  }

  @Test
  void lazyWeightDecayShrinksOnlyTouchedRows() {
    Parameter emb = new Parameter("emb", Tensor.zeros(3, 1).fill(1), true);
    Adam adam = Adam.lazyAdam(0.1, 0.5);
    adam.init(List.of(emb));
    emb.markRow(0);
    adam.step();
    // Row 0: g = 0 + 0.5·1 > 0 moves it down by lr; rows 1 and 2 were not touched.
    assertEquals(0.9, emb.value().get(0, 0), 1e-6);
    assertEquals(1.0, emb.value().get(1, 0));
    Parameter dense = new Parameter("dense", Tensor.zeros(3, 1).fill(1), true);
    Adam full = Adam.adam(0.1, 0.5);
    full.init(List.of(dense));
    dense.markRow(0);
    full.step();
    // Dense Adam decays every row, touched or not.
    assertEquals(0.9, dense.value().get(1, 0), 1e-6);
  }

  @Test
  void adamMatchesTorchFormulaOverManySteps() {
    SplittableRandom rng = new SplittableRandom(3);
    Parameter p = new Parameter("w", RandomTensors.uniform(DType.FLOAT32, 3, 5, rng), false);
    double[] w = new double[15];
    double[] m = new double[15];
    double[] v = new double[15];
    for (int k = 0; k < 15; k++) {
      w[k] = p.value().getFlat(k);
    }
    Adam adam = new Adam(0.01, 0.9, 0.999, 1e-8, 0.01, false);
    adam.init(List.of(p));
    for (int t = 1; t <= 20; t++) {
      for (int k = 0; k < 15; k++) {
        double g = Math.sin(t + k);
        p.grad().setFlat(k, g);
        g += 0.01 * w[k];
        m[k] = 0.9 * m[k] + 0.1 * g;
        v[k] = 0.999 * v[k] + 0.001 * g * g;
        w[k] -=
            0.01
                * (m[k] / (1 - Math.pow(0.9, t)))
                / (Math.sqrt(v[k] / (1 - Math.pow(0.999, t))) + 1e-8);
      }
      adam.step();
    }
    for (int k = 0; k < 15; k++) {
      assertEquals(w[k], p.value().getFlat(k), 1e-5, "element " + k);
    }
  }

  @Test
  void lazyAdamUpdatesOnlyTouchedRows() {
    Parameter emb = new Parameter("emb", Tensor.zeros(4, 2).fill(1), true);
    Adam adam = Adam.lazyAdam(0.1);
    assertEquals("lazyadam", adam.name());
    adam.init(List.of(emb));
    emb.grad().set(1, 0, 1);
    emb.grad().set(1, 1, -1);
    emb.markRow(1);
    adam.step();
    adam.zeroGrad();
    assertEquals(0.9, emb.value().get(1, 0), 1e-6);
    assertEquals(1.1, emb.value().get(1, 1), 1e-6);
    // Rows never touched keep their values; a later step touching only row 3 leaves row 1 alone
    // even though its moments are non-zero.
    emb.markRow(3);
    adam.step();
    assertEquals(0.9, emb.value().get(1, 0), 1e-6);
    assertEquals(1.0, emb.value().get(0, 0));
    assertEquals(1.0, emb.value().get(3, 0));
    assertEquals(0, emb.grad().get(1, 0));
  }

  @Test
  void denseAdamMovesRowsOutsideTheBatchWithTheirMomentumAsTorchDoes() {
    Parameter emb = new Parameter("emb", Tensor.zeros(4, 2).fill(1), true);
    Adam adam = Adam.adam(0.1);
    adam.init(List.of(emb));
    emb.grad().set(1, 0, 1);
    emb.grad().set(1, 1, -1);
    emb.markRow(1);
    adam.step();
    adam.zeroGrad();
    assertEquals(0.9, emb.value().get(1, 0), 1e-6);
    emb.markRow(3);
    adam.step();
    // Step 2, g = 0 for row 1: m̂ = 0.09 / 0.19, v̂ = 0.000999 / 0.001999 (per unit g²).
    double moved = 0.1 * (0.09 / 0.19) / Math.sqrt(0.000999 / 0.001999);
    assertEquals(0.9 - moved, emb.value().get(1, 0), 1e-6);
    assertEquals(1.1 + moved, emb.value().get(1, 1), 1e-6);
    assertEquals(1.0, emb.value().get(0, 0), "no gradient ever: no momentum, no move");
    assertThrows(IllegalStateException.class, () -> adam.lazyRows(true), "after init");
  }

  @Test
  void lifecycleIsEnforced() {
    Adam adam = Adam.adam(0.1);
    IllegalStateException e = assertThrows(IllegalStateException.class, adam::step);
    assertEquals("adam: step() before init()", e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> Adam.adam(-1));
    assertThrows(IllegalArgumentException.class, () -> new Sgd(0.1, 1.0));
    Parameter d = new Parameter("d", Tensor.zeros(DType.FLOAT64, 1, 1), false);
    assertThrows(IllegalArgumentException.class, () -> adam.init(List.of(d)));
  }

  @Test
  void savedStateResumesExactly() {
    for (Supplier<Optimizer> make :
        List.<Supplier<Optimizer>>of(
            () -> Adam.adam(0.05),
            () -> Adam.adamW(0.05, 0.1),
            () -> new Adagrad(0.1),
            () -> new Sgd(0.1, 0.9))) {
      Parameter straight = new Parameter("w", Tensor.row(DType.FLOAT32, 1, -2, 3), false);
      Optimizer a = make.get();
      a.init(List.of(straight));
      Parameter resumed = new Parameter("w", straight.value().copy(), false);
      Optimizer b = make.get();
      b.init(List.of(resumed));
      for (int s = 0; s < 3; s++) {
        setGrad(straight, s);
        a.step();
        setGrad(resumed, s);
        b.step();
      }
      Map<String, Tensor> saved = b.state();
      long steps = b.steps();
      Optimizer c = make.get();
      c.init(List.of(resumed));
      c.loadState(saved, steps);
      for (int s = 3; s < 6; s++) {
        setGrad(straight, s);
        a.step();
        setGrad(resumed, s);
        c.step();
      }
      assertArrayEquals(straight.value().floats(), resumed.value().floats(), a.name());
    }
  }

  private static void setGrad(Parameter p, int step) {
    for (int k = 0; k < p.value().size(); k++) {
      p.grad().setFlat(k, Math.cos(step * 3 + k));
    }
  }

  @Test
  void aStepSplitOverThreadsIsTheSameBitForBit() {
    // About 91,000 elements to update, enough for a step to split over two threads; one
    // sparse-row parameter with some rows touched.
    int threads = Kernels.threads();
    try {
      for (boolean lazy : new boolean[] {false, true}) {
        float[][] one = threeSteps(1, lazy);
        float[][] two = threeSteps(2, lazy);
        for (int k = 0; k < one.length; k++) {
          assertArrayEquals(one[k], two[k], "parameter " + k + (lazy ? ", lazy" : ""));
        }
      }
    } finally {
      Kernels.setThreads(threads);
    }
  }

  private static float[][] threeSteps(int threads, boolean lazy) {
    Kernels.setThreads(threads);
    SplittableRandom rng = new SplittableRandom(9);
    List<Parameter> ps =
        List.of(
            new Parameter("a", RandomTensors.uniform(DType.FLOAT32, 400, 100, rng), false),
            new Parameter("b", RandomTensors.uniform(DType.FLOAT32, 1, 300, rng), false),
            new Parameter("c", RandomTensors.uniform(DType.FLOAT32, 4000, 16, rng), true),
            new Parameter("d", RandomTensors.uniform(DType.FLOAT32, 100, 300, rng), false));
    Adam adam = lazy ? Adam.lazyAdam(0.01) : Adam.adam(0.01);
    adam.init(ps);
    for (int step = 0; step < 3; step++) {
      for (Parameter p : ps) {
        p.zeroGrad();
        Tensor g = p.grad();
        for (int k = 0; k < g.size(); k++) {
          g.setFlat(k, rng.nextGaussian());
        }
        if (p.sparseRows()) {
          for (int r = 0; r < p.rows(); r += 3 + step) {
            p.markRow(r);
          }
        } else {
          p.markAllRows();
        }
      }
      adam.step();
    }
    float[][] out = new float[ps.size()][];
    for (int k = 0; k < ps.size(); k++) {
      out[k] = ps.get(k).value().floats().clone();
    }
    return out;
  }
}
