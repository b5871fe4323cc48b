package org.sbcnm.training.loop;

import org.sbcnm.engine.optim.Adagrad;
import org.sbcnm.engine.optim.Adam;
import org.sbcnm.engine.optim.Optimizer;
import org.sbcnm.engine.optim.Sgd;

/**
 * The optimiser and its learning rate.
 *
 * @param kind which optimiser
 * @param lr learning rate; 0 takes the optimiser's default ({@link OptimizerKind#defaultLr})
 */
public record OptimizerConfig(OptimizerKind kind, double lr) {
  public OptimizerConfig {
    if (kind == null) {
      throw new IllegalArgumentException("optimizer is required");
    }
    if (!(lr >= 0) || Double.isInfinite(lr)) {
      throw new IllegalArgumentException("lr must be finite and >= 0, got " + lr);
    }
  }

  /** The learning rate in force. */
  public double effectiveLr() {
    return lr > 0 ? lr : kind.defaultLr();
  }

  /** A new optimiser of this kind at {@link #effectiveLr}. */
  public Optimizer create() {
    double rate = effectiveLr();
    switch (kind) {
      case ADAMW:
        return Adam.adamW(rate, 0.01);
      case ADAGRAD:
        return new Adagrad(rate);
      case SGD:
        return new Sgd(rate, 0.9);
      case LAZYADAM:
        return Adam.lazyAdam(rate);
      default:
        return Adam.adam(rate);
    }
  }
}
