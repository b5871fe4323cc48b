package org.sbcnm.engine.optim;

/**
 * Stochastic gradient descent with optional heavy-ball momentum, as {@code torch.optim.SGD}
 * (dampening 0): {@code g ← g + λ·w; v ← μ·v + g; w ← w − η·v} (without momentum {@code w ← w −
 * η·g}), λ the L2 weight decay. Robbins &amp; Monro 1951; Polyak 1964.
 */
public final class Sgd extends Optimizer {
  private final float lr;
  private final float momentum;
  private final float weightDecay;

  public Sgd(double lr, double momentum) {
    this(lr, momentum, 0.0);
  }

  /** With L2 weight decay λ ≥ 0 added to the gradient, as torch's {@code weight_decay}. */
  public Sgd(double lr, double momentum, double weightDecay) {
    checkPositive("sgd lr", lr);
    checkUnit("sgd momentum", momentum);
    checkDecay("sgd", weightDecay);
    this.lr = (float) lr;
    this.momentum = (float) momentum;
    this.weightDecay = (float) weightDecay;
  }

  @Override
  protected int slotCount() {
    return momentum == 0f ? 0 : 1;
  }

  @Override
  public String name() {
    return "sgd";
  }

  @Override
  protected void update(float[] w, float[] g, float[][] state, int off, int len, long step) {
    float l2 = weightDecay;
    if (momentum == 0f) {
      for (int k = off; k < off + len; k++) {
        w[k] -= lr * (g[k] + l2 * w[k]);
      }
      return;
    }
    float[] v = state[0];
    for (int k = off; k < off + len; k++) {
      v[k] = momentum * v[k] + g[k] + l2 * w[k];
      w[k] -= lr * v[k];
    }
  }
}
