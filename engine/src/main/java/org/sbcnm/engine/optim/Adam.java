package org.sbcnm.engine.optim;

/**
 * Adam (Kingma &amp; Ba, ICLR 2015) and AdamW (Loshchilov &amp; Hutter, ICLR 2019), as {@code
 * torch.optim.Adam}/{@code AdamW}:
 *
 * <pre>
 *   Adam:  g ← g + λ·w                      (L2 weight decay, when λ &gt; 0)
 *   AdamW: w ← w − η·λ·w                     (decoupled weight decay)
 *   m ← β₁m + (1−β₁)g;   v ← β₂v + (1−β₂)g²
 *   w ← w − η · (m / (1−β₁ᵗ)) / (√(v / (1−β₂ᵗ)) + ε)
 * </pre>
 *
 * Every element moves each step, as torch's Adam on a dense gradient (an embedding row outside the
 * batch has g = 0 and moves with its momentum). {@link #lazyAdam} moves only the touched rows of
 * sparse-row parameters, with the global step t in the bias correction (TensorFlow's LazyAdam).
 */
public final class Adam extends Optimizer {
  private final float lr;
  private final float beta1;
  private final float beta2;
  private final float eps;
  private final float weightDecay;
  private final boolean decoupled;

  /** η / (1 − β₁ᵗ) and 1 / √(1 − β₂ᵗ) of the current step, set by {@link #beginStep}. */
  private float stepSize;

  private float invSqrtBc2;

  public Adam(
      double lr, double beta1, double beta2, double eps, double weightDecay, boolean decoupled) {
    checkPositive("adam lr", lr);
    checkUnit("adam beta1", beta1);
    checkUnit("adam beta2", beta2);
    checkPositive("adam eps", eps);
    checkDecay("adam", weightDecay);
    this.lr = (float) lr;
    this.beta1 = (float) beta1;
    this.beta2 = (float) beta2;
    this.eps = (float) eps;
    this.weightDecay = (float) weightDecay;
    this.decoupled = decoupled;
  }

  /** Adam with torch's defaults: β = (0.9, 0.999), ε = 1e-8, no weight decay. */
  public static Adam adam(double lr) {
    return new Adam(lr, 0.9, 0.999, 1e-8, 0.0, false);
  }

  /** AdamW with torch's defaults: β = (0.9, 0.999), ε = 1e-8, decoupled decay λ. */
  public static Adam adamW(double lr, double weightDecay) {
    return new Adam(lr, 0.9, 0.999, 1e-8, weightDecay, true);
  }

  /** Adam with torch's defaults and L2 weight decay λ (added to the gradient). */
  public static Adam adam(double lr, double weightDecay) {
    return new Adam(lr, 0.9, 0.999, 1e-8, weightDecay, false);
  }

  /** Adam with torch's defaults that updates only the touched rows of embedding tables. */
  public static Adam lazyAdam(double lr) {
    return lazyAdam(lr, 0.0);
  }

  /**
   * Lazy Adam with L2 weight decay λ: a row of an embedding table decays in the steps that touch
   * it, so rare items are pulled toward zero less often than frequent ones.
   */
  public static Adam lazyAdam(double lr, double weightDecay) {
    Adam a = adam(lr, weightDecay);
    a.lazyRows(true);
    return a;
  }

  @Override
  protected int slotCount() {
    return 2;
  }

  @Override
  public String name() {
    return decoupled ? "adamw" : lazyRows() ? "lazyadam" : "adam";
  }

  @Override
  protected void beginStep(long step) {
    double bc1 = 1.0 - Math.pow(beta1, step);
    double bc2 = 1.0 - Math.pow(beta2, step);
    stepSize = (float) (lr / bc1);
    invSqrtBc2 = (float) (1.0 / Math.sqrt(bc2));
  }

  @Override
  protected void update(float[] w, float[] g, float[][] state, int off, int len, long step) {
    float[] m = state[0];
    float[] v = state[1];
    float stepSize = this.stepSize;
    float invSqrtBc2 = this.invSqrtBc2;
    float decay = decoupled ? 1f - lr * weightDecay : 1f;
    float l2 = decoupled ? 0f : weightDecay;
    for (int k = off; k < off + len; k++) {
      float gk = g[k] + l2 * w[k];
      float mk = beta1 * m[k] + (1f - beta1) * gk;
      float vk = beta2 * v[k] + (1f - beta2) * gk * gk;
      m[k] = mk;
      v[k] = vk;
      w[k] = w[k] * decay - stepSize * mk / ((float) Math.sqrt(vk) * invSqrtBc2 + eps);
    }
  }
}
