package org.sbcnm.towers.layers;

import java.util.List;
import java.util.SplittableRandom;
import org.sbcnm.engine.autograd.Node;
import org.sbcnm.engine.autograd.Tape;
import org.sbcnm.engine.ops.Bias;
import org.sbcnm.engine.ops.BiasRelu;
import org.sbcnm.engine.ops.MatMul;
import org.sbcnm.engine.param.Init;
import org.sbcnm.engine.param.Parameter;
import org.sbcnm.engine.tensor.DType;
import org.sbcnm.engine.tensor.Tensor;

/**
 * Fully connected layer {@code y = x·Wᵀ + b}, x [n, in], W [out, in] (torch's layout), b [1, out];
 * initialised as {@code torch.nn.Linear}: W and b uniform in ±1/√in.
 */
public final class Linear implements Layer {
  private final Parameter weight;
  private final Parameter bias;

  public Linear(String name, int in, int out, DType type, SplittableRandom rng) {
    if (in < 1 || out < 1) {
      throw new IllegalArgumentException(
          name + ": Linear needs in, out >= 1, got " + in + " -> " + out);
    }
    Tensor w = Tensor.zeros(type, out, in);
    Tensor b = Tensor.zeros(type, 1, out);
    Init.torchLinear(w, b, in, rng);
    this.weight = new Parameter(name + ".weight", w, false);
    this.bias = new Parameter(name + ".bias", b, false);
  }

  public Node forward(Tape t, Node x) {
    return Bias.add(t, MatMul.abT(t, x, t.param(weight)), t.param(bias));
  }

  /** {@code max(x·Wᵀ + b, 0)}: the layer and a ReLU, with the bias and the ReLU fused. */
  public Node forwardRelu(Tape t, Node x) {
    return BiasRelu.apply(t, MatMul.abT(t, x, t.param(weight)), t.param(bias));
  }

  public int in() {
    return weight.cols();
  }

  public int out() {
    return weight.rows();
  }

  public Parameter weight() {
    return weight;
  }

  public Parameter bias() {
    return bias;
  }

  @Override
  public List<Parameter> parameters() {
    return List.of(weight, bias);
  }
}
