package org.sbcnm.engine.optim;

/**
 * Stochastic gradient descent with optional heavy-ball momentum, as {@code torch.optim.SGD}
 * (dampening 0): {@code v ← μ·v + g; w ← w − η·v} (without momentum {@code w ← w − η·g}). Robbins
 * &amp; Monro 1951; Polyak 1964.
 */
public final class Sgd extends Optimizer {
  private final float lr;
  private final float momentum;

  public Sgd(double lr, double momentum) {
    checkPositive("sgd lr", lr);
    checkUnit("sgd momentum", momentum);
    this.lr = (float) lr;
    this.momentum = (float) momentum;
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
    if (momentum == 0f) {
      for (int k = off; k < off + len; k++) {
        w[k] -= lr * g[k];
      }
      return;
    }
    float[] v = state[0];
    for (int k = off; k < off + len; k++) {
      v[k] = momentum * v[k] + g[k];
      w[k] -= lr * v[k];
    }
  }
}
