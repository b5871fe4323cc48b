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
 * the forward pass, the backward rules and the tape's buffer reuse. An element passes when |analytic
 * − numeric| ≤ atol + rtol·max(|analytic|, |numeric|).
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
      String what, List<Tensor> inputs, List<Parameter> params, BiFunction<Tape, Node[], Node> loss) {
    Tape tape = new Tape();
    for (Parameter p : params) {
      p.zeroGrad();
    }
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
        analytic[i] = g == null ? Tensor.zeros(inputs.get(i).dtype(), inputs.get(i).rows(), inputs.get(i).cols()) : g.copy();
      }
    }
    Tensor[] paramGrads = new Tensor[params.size()];
    for (int i = 0; i < params.size(); i++) {
      paramGrads[i] = params.get(i).grad().copy();
    }
    for (int i = 0; i < inputs.size(); i++) {
      compare(what + " input " + i, inputs.get(i), analytic[i], tape, inputs, loss);
    }
    for (int i = 0; i < params.size(); i++) {
      compare(what + " param " + params.get(i).name(), params.get(i).value(), paramGrads[i], tape, inputs, loss);
    }
  }

  private static void compare(
      String what, Tensor x, Tensor analytic, Tape tape, List<Tensor> inputs, BiFunction<Tape, Node[], Node> loss) {
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

  private static double evaluate(Tape tape, List<Tensor> inputs, BiFunction<Tape, Node[], Node> loss) {
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
