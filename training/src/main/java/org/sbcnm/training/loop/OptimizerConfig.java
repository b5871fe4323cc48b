package org.sbcnm.training.loop;

import org.sbcnm.engine.optim.Adagrad;
import org.sbcnm.engine.optim.Adam;
import org.sbcnm.engine.optim.Optimizer;
import org.sbcnm.engine.optim.Sgd;

/**
 * The optimiser, its learning rate and its weight decay λ on every parameter, embedding tables
 * included: decoupled for {@code adamw} (w ← w − η·λ·w), L2 for the others (g ← g + λ·w), as {@code
 * torch.optim}'s {@code weight_decay}. With {@code lazyadam} a table row decays in the steps that
 * touch it.
 *
 * @param kind which optimiser
 * @param lr learning rate; 0 takes the optimiser's default ({@link OptimizerKind#defaultLr})
 * @param weightDecay λ ≥ 0, or {@link #DEFAULT_DECAY} for the optimiser's default ({@link
 *     OptimizerKind#defaultWeightDecay})
 */
public record OptimizerConfig(OptimizerKind kind, double lr, double weightDecay) {
  /** The {@code weightDecay} that stands for the optimiser's default. */
  public static final double DEFAULT_DECAY = -1;

  public OptimizerConfig {
    if (kind == null) {
      throw new IllegalArgumentException("optimizer is required");
    }
    if (!(lr >= 0) || Double.isInfinite(lr)) {
      throw new IllegalArgumentException("lr must be finite and >= 0, got " + lr);
    }
    if (!(weightDecay >= 0 || weightDecay == DEFAULT_DECAY) || Double.isInfinite(weightDecay)) {
      throw new IllegalArgumentException(
          "weight_decay must be finite and >= 0, got " + weightDecay);
    }
  }

  /** The learning rate in force. */
  public double effectiveLr() {
    return lr > 0 ? lr : kind.defaultLr();
  }

  /** The weight decay in force. */
  public double effectiveWeightDecay() {
    return weightDecay == DEFAULT_DECAY ? kind.defaultWeightDecay() : weightDecay;
  }

  /** A new optimiser of this kind at {@link #effectiveLr}. */
  public Optimizer create() {
    double rate = effectiveLr();
    double decay = effectiveWeightDecay();
    switch (kind) {
      case ADAMW:
        return Adam.adamW(rate, decay);
      case ADAGRAD:
        return new Adagrad(rate, 0.0, 1e-10, decay);
      case SGD:
        return new Sgd(rate, 0.9, decay);
      case LAZYADAM:
        return Adam.lazyAdam(rate, decay);
      default:
        return Adam.adam(rate, decay);
    }
  }
}
