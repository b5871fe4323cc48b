package org.sbcnm.training.loop;

import org.sbcnm.engine.optim.Adagrad;
import org.sbcnm.engine.optim.Adam;
import org.sbcnm.engine.optim.Optimizer;
import org.sbcnm.engine.optim.Sgd;
import org.sbcnm.training.sampling.ExactCounts;
import org.sbcnm.training.sampling.SamplingProbabilities;
import org.sbcnm.training.sampling.StreamingFrequencyEstimator;

/** The parts a {@link TrainConfig} names: its optimiser and its sampling-probability source. */
final class TrainingParts {
  private TrainingParts() {}

  /** The probability source a config names (null for "none" and "static"). */
  static SamplingProbabilities probabilities(TrainConfig c, int numItems) {
    switch (c.correction()) {
      case "streaming":
        MemoryBudget.require(
            (long) c.hashBuckets() * c.hashes() * 16,
            "the frequency estimator (--hash_buckets "
                + c.hashBuckets()
                + " x --hashes "
                + c.hashes()
                + ")");
        return new StreamingFrequencyEstimator(c.hashBuckets(), c.hashes(), c.alpha(), 0);
      case "counts":
        return new ExactCounts(numItems);
      default:
        return null;
    }
  }

  /** The optimiser a config names, at its learning rate. */
  static Optimizer optimizer(TrainConfig c) {
    double lr = c.effectiveLr();
    switch (c.optimizer()) {
      case "adamw":
        return Adam.adamW(lr, 0.01);
      case "adagrad":
        return new Adagrad(lr);
      case "sgd":
        return new Sgd(lr, 0.9);
      case "lazyadam":
        return Adam.lazyAdam(lr);
      default:
        return Adam.adam(lr);
    }
  }
}
