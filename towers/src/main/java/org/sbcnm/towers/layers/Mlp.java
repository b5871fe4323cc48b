package org.sbcnm.towers.layers;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;
import org.sbcnm.engine.autograd.Node;
import org.sbcnm.engine.autograd.Tape;
import org.sbcnm.engine.param.Parameter;
import org.sbcnm.engine.tensor.DType;

/**
 * Multi-layer perceptron {@code in → w₁ → … → w_L}: Linear layers with ReLU between them and none
 * after the last (the tower's output is L2-normalised instead).
 */
public final class Mlp implements Layer {
  private final Linear[] layers;
  private final List<Parameter> params;

  public Mlp(String name, int in, int[] widths, DType type, SplittableRandom rng) {
    if (widths.length == 0) {
      throw new IllegalArgumentException(name + ": an MLP needs at least one layer");
    }
    layers = new Linear[widths.length];
    List<Parameter> ps = new ArrayList<>();
    int prev = in;
    for (int l = 0; l < widths.length; l++) {
      layers[l] = new Linear(name + "." + l, prev, widths[l], type, rng);
      ps.addAll(layers[l].parameters());
      prev = widths[l];
    }
    params = Collections.unmodifiableList(ps);
  }

  public Node forward(Tape t, Node x) {
    int last = layers.length - 1;
    for (int l = 0; l < last; l++) {
      x = layers[l].forwardRelu(t, x);
    }
    return layers[last].forward(t, x);
  }

  public int in() {
    return layers[0].in();
  }

  public int out() {
    return layers[layers.length - 1].out();
  }

  @Override
  public List<Parameter> parameters() {
    return params;
  }
}
