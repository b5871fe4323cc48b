package org.sbcnm.training.loop;

import java.util.Locale;

/**
 * The optimisers {@code train} offers, each with the learning rate it uses when none is given.
 * {@link #ADAM}, {@link #ADAMW}, {@link #ADAGRAD} and {@link #SGD} update every row of an embedding
 * table each step, as {@code torch.optim} does; {@link #LAZYADAM} updates the batch's rows only
 * (TensorFlow's LazyAdam). The Adam family's default rate, 3e-3, is three times torch's: with the
 * default batch of 256 it reaches a better validation recall in fewer epochs ({@code
 * bench/ablation.sh}).
 */
public enum OptimizerKind {
  /** Adam (Kingma and Ba, 2015), β = (0.9, 0.999). */
  ADAM(3e-3, 0),
  /** Adam on the rows a step touched only. */
  LAZYADAM(3e-3, 0),
  /** Adam with decoupled weight decay, 0.01 unless given (Loshchilov and Hutter, 2019). */
  ADAMW(3e-3, 0.01),
  /** Adagrad (Duchi et al., 2011). */
  ADAGRAD(0.1, 0),
  /** SGD with momentum 0.9. */
  SGD(0.05, 0);

  private final double defaultLr;
  private final double defaultWeightDecay;

  OptimizerKind(double defaultLr, double defaultWeightDecay) {
    this.defaultLr = defaultLr;
    this.defaultWeightDecay = defaultWeightDecay;
  }

  /** The learning rate used when none is given. */
  public double defaultLr() {
    return defaultLr;
  }

  /** The weight decay used when none is given (torch's defaults). */
  public double defaultWeightDecay() {
    return defaultWeightDecay;
  }

  /** The name on the command line and in checkpoints: {@code adam}, {@code lazyadam}, … */
  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The optimiser named {@code id} (any case). */
  public static OptimizerKind parse(String id) {
    for (OptimizerKind k : values()) {
      if (k.id().equalsIgnoreCase(id.trim())) {
        return k;
      }
    }
    throw new IllegalArgumentException(
        "optimizer must be adam, lazyadam, adamw, adagrad or sgd, got '" + id + "'");
  }
}
