package org.sbcnm.engine.optim;

/**
 * Adagrad (Duchi, Hazan &amp; Singer, JMLR 2011), the optimiser of Yi et al. 2019, as {@code
 * torch.optim.Adagrad}: {@code a ← a + g²; w ← w − η·g / (√a + ε)}, with a starting at {@code
 * initialAccumulator} (torch 0, TensorFlow 0.1).
 */
public final class Adagrad extends Optimizer {
  private final float lr;
  private final float initialAccumulator;
  private final float eps;

  public Adagrad(double lr, double initialAccumulator, double eps) {
    checkPositive("adagrad lr", lr);
    if (!(initialAccumulator >= 0)) {
      throw new IllegalArgumentException(
          "adagrad initial accumulator must be >= 0, got " + initialAccumulator);
    }
    checkPositive("adagrad eps", eps);
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
    for (int k = off; k < off + len; k++) {
      float acc = a[k] + g[k] * g[k];
      a[k] = acc;
      w[k] -= lr * g[k] / ((float) Math.sqrt(acc) + eps);
    }
  }
}
