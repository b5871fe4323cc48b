package org.sbcnm.engine.testing;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.List;
import java.util.function.BiFunction;
import org.sbcnm.engine.autograd.Node;
import org.sbcnm.engine.autograd.Tape;
import org.sbcnm.engine.ops.Elementwise;
import org.sbcnm.engine.param.Parameter;
import org.sbcnm.engine.tensor.Tensor;

/**
 * Gradient checking against central differences, in float64.
 *
 * <p>The loss is rebuilt from scratch on a fresh tape for every perturbation, so the check covers
 * the forward pass, the backward rules and the tape's buffer reuse. An element passes when
 * |analytic − numeric| ≤ atol + rtol·max(|analytic|, |numeric|).
 */
public final class GradCheck {
  /** Step of the central difference; 1e-6 balances truncation (h²) and rounding (ε/h) in double. */
  public static final double H = 1e-6;

  public static final double RTOL = 1e-5;
  public static final double ATOL = 1e-8;

  private GradCheck() {}

  /**
   * Checks d loss / d input for every tensor in {@code inputs} (float64) and every parameter in
   * {@code params}. {@code loss} receives the tape and one input node per tensor (in order) and
   * returns a [1, 1] node; it must register the parameters with {@code tape.param}.
   */
  public static void check(
      String what,
      List<Tensor> inputs,
      List<Parameter> params,
      BiFunction<Tape, Node[], Node> loss) {
    Tape tape = new Tape();
    for (Parameter p : params) {
      p.zeroGrad();
    }
    Tensor[] analytic = analyticGradients(tape, inputs, loss);
    Tensor[] paramGrads = paramGradients(params);
    // A second pass on the same tape finds every recycled buffer holding the first pass's values:
    // an op that overwrites a gradient must not read them, one that adds must start from zero.
    Tensor[] again = analyticGradients(tape, inputs, loss);
    Tensor[] paramsAgain = paramGradients(params);
    for (int i = 0; i < analytic.length; i++) {
      requireSame(what + " input " + i + " on a recycled tape", analytic[i], again[i]);
    }
    for (int i = 0; i < paramGrads.length; i++) {
      requireSame(
          what + " param " + params.get(i).name() + " on a recycled tape",
          paramGrads[i],
          paramsAgain[i]);
    }
    for (int i = 0; i < inputs.size(); i++) {
      compare(what + " input " + i, inputs.get(i), analytic[i], tape, inputs, loss);
    }
    for (int i = 0; i < params.size(); i++) {
      compare(
          what + " param " + params.get(i).name(),
          params.get(i).value(),
          paramGrads[i],
          tape,
          inputs,
          loss);
    }
  }

  private static Tensor[] analyticGradients(
      Tape tape, List<Tensor> inputs, BiFunction<Tape, Node[], Node> loss) {
    Tensor[] analytic = new Tensor[inputs.size()];
    try (Tape t = tape.begin()) {
      Node[] in = new Node[inputs.size()];
      for (int i = 0; i < in.length; i++) {
        in[i] = t.input(inputs.get(i));
      }
      Node l = loss.apply(t, in);
      t.backward(l);
      for (int i = 0; i < in.length; i++) {
        Tensor g = in[i].grad();
        analytic[i] =
            g == null
                ? Tensor.zeros(inputs.get(i).dtype(), inputs.get(i).rows(), inputs.get(i).cols())
                : g.copy();
      }
    }
    return analytic;
  }

  /** Copies of the parameters' gradients, then zeroes them for the next pass. */
  private static Tensor[] paramGradients(List<Parameter> params) {
    Tensor[] grads = new Tensor[params.size()];
    for (int i = 0; i < params.size(); i++) {
      grads[i] = params.get(i).grad().copy();
      params.get(i).zeroGrad();
    }
    return grads;
  }

  private static void requireSame(String what, Tensor expected, Tensor actual) {
    for (int k = 0; k < expected.size(); k++) {
      if (Double.compare(expected.getFlat(k), actual.getFlat(k)) != 0) {
        fail(what + " element " + k + ": " + expected.getFlat(k) + " then " + actual.getFlat(k));
      }
    }
  }

  private static void compare(
      String what,
      Tensor x,
      Tensor analytic,
      Tape tape,
      List<Tensor> inputs,
      BiFunction<Tape, Node[], Node> loss) {
    if (x.isFloat32()) {
      throw new IllegalArgumentException("gradient checks run in float64");
    }
    for (int k = 0; k < x.size(); k++) {
      double orig = x.getFlat(k);
      x.setFlat(k, orig + H);
      double plus = evaluate(tape, inputs, loss);
      x.setFlat(k, orig - H);
      double minus = evaluate(tape, inputs, loss);
      x.setFlat(k, orig);
      double numeric = (plus - minus) / (2 * H);
      double a = analytic.getFlat(k);
      if (Math.abs(a - numeric) > ATOL + RTOL * Math.max(Math.abs(a), Math.abs(numeric))) {
        fail(what + " element " + k + ": analytic " + a + " vs numeric " + numeric);
      }
    }
  }

  private static double evaluate(
      Tape tape, List<Tensor> inputs, BiFunction<Tape, Node[], Node> loss) {
    try (Tape t = tape.begin()) {
      Node[] in = new Node[inputs.size()];
      for (int i = 0; i < in.length; i++) {
        in[i] = t.input(inputs.get(i));
      }
      return loss.apply(t, in).value().getFlat(0);
    }
  }

  /** Σ y ⊙ r: a scalar whose gradient with respect to y is r, to check ops with matrix outputs. */
  public static Node project(Tape t, Node y, Tensor r) {
    return Elementwise.sum(t, Elementwise.mul(t, y, t.constant(r)));
  }
}
