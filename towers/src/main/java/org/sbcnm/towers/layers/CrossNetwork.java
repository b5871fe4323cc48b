package org.sbcnm.towers.layers;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;
import org.sbcnm.engine.autograd.Node;
import org.sbcnm.engine.autograd.Tape;
import org.sbcnm.engine.ops.Elementwise;
import org.sbcnm.engine.param.Parameter;
import org.sbcnm.engine.tensor.DType;

/**
 * DCN-v2 cross network (Wang et al., WWW 2021): {@code x₍ₗ₊₁₎ = x₀ ⊙ (Wₗ·xₗ + bₗ) + xₗ} for {@code
 * l = 0 … L−1}, with x₀ [n, d] the input, Wₗ [d, d] and bₗ [1, d] (a full-rank {@link Linear} per
 * layer). The output has the input's shape and feeds the tower's MLP.
 */
public final class CrossNetwork implements Layer {
  private final Linear[] layers;
  private final List<Parameter> params;

  public CrossNetwork(String name, int dim, int crossLayers, DType type, SplittableRandom rng) {
    if (crossLayers < 1) {
      throw new IllegalArgumentException(name + ": cross_layers must be >= 1, got " + crossLayers);
    }
    layers = new Linear[crossLayers];
    List<Parameter> ps = new ArrayList<>();
    for (int l = 0; l < crossLayers; l++) {
      layers[l] = new Linear(name + "." + l, dim, dim, type, rng);
      ps.addAll(layers[l].parameters());
    }
    params = Collections.unmodifiableList(ps);
  }

  public Node forward(Tape t, Node x0) {
    Node x = x0;
    for (Linear layer : layers) {
      x = Elementwise.add(t, Elementwise.mul(t, x0, layer.forward(t, x)), x);
    }
    return x;
  }

  @Override
  public List<Parameter> parameters() {
    return params;
  }
}
