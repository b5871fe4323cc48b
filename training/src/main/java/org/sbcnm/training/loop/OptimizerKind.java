package org.sbcnm.training.loop;

import java.util.Locale;

/**
 * The optimisers {@code train} offers, each with the learning rate it uses when none is given.
 * {@link #ADAM}, {@link #ADAMW}, {@link #ADAGRAD} and {@link #SGD} update every row of an embedding
 * table each step, as {@code torch.optim} does; {@link #LAZYADAM} updates the batch's rows only
 * (TensorFlow's LazyAdam).
 */
public enum OptimizerKind {
  /** Adam (Kingma and Ba, 2015), β = (0.9, 0.999). */
  ADAM(1e-3),
  /** Adam on the rows a step touched only. */
  LAZYADAM(1e-3),
  /** Adam with decoupled weight decay 0.01 (Loshchilov and Hutter, 2019). */
  ADAMW(1e-3),
  /** Adagrad (Duchi et al., 2011). */
  ADAGRAD(0.1),
  /** SGD with momentum 0.9. */
  SGD(0.05);

  private final double defaultLr;

  OptimizerKind(double defaultLr) {
    this.defaultLr = defaultLr;
  }

  /** The learning rate used when none is given. */
  public double defaultLr() {
    return defaultLr;
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
