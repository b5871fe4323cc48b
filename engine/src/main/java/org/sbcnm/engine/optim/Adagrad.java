package org.sbcnm.engine.optim;

/**
 * Adagrad (Duchi, Hazan &amp; Singer, JMLR 2011), the optimiser of Yi et al. 2019, as {@code
 * torch.optim.Adagrad}: {@code g ← g + λ·w; a ← a + g²; w ← w − η·g / (√a + ε)}, with a starting at
 * {@code initialAccumulator} (torch 0, TensorFlow 0.1) and λ the L2 weight decay.
 */
public final class Adagrad extends Optimizer {
  private final float lr;
  private final float initialAccumulator;
  private final float eps;
  private final float weightDecay;

  public Adagrad(double lr, double initialAccumulator, double eps) {
    this(lr, initialAccumulator, eps, 0.0);
  }

  /** With L2 weight decay λ ≥ 0 added to the gradient, as torch's {@code weight_decay}. */
  public Adagrad(double lr, double initialAccumulator, double eps, double weightDecay) {
    checkPositive("adagrad lr", lr);
    if (!(initialAccumulator >= 0)) {
      throw new IllegalArgumentException(
          "adagrad initial accumulator must be >= 0, got " + initialAccumulator);
    }
    checkPositive("adagrad eps", eps);
    checkDecay("adagrad", weightDecay);
    this.weightDecay = (float) weightDecay;
    this.lr = (float) lr;
    this.initialAccumulator = (float) initialAccumulator;
    this.eps = (float) eps;
  }

  /** torch's defaults: accumulator 0, ε 1e-10. */
  public Adagrad(double lr) {
    this(lr, 0.0, 1e-10);
  }

  @Override
  protected int slotCount() {
    return 1;
  }

  @Override
  protected float initialSlotValue(int slot) {
    return initialAccumulator;
  }

  @Override
  public String name() {
    return "adagrad";
  }

  @Override
  protected void update(float[] w, float[] g, float[][] state, int off, int len, long step) {
    float[] a = state[0];
    float l2 = weightDecay;
    for (int k = off; k < off + len; k++) {
      float gk = g[k] + l2 * w[k];
      float acc = a[k] + gk * gk;
      a[k] = acc;
      w[k] -= lr * gk / ((float) Math.sqrt(acc) + eps);
    }
  }
}
