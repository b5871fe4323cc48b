package org.sbcnm.training.loop;

/**
 * Early stopping on one validation metric: an epoch improves when its value beats the best so far
 * (strictly: lower for "loss", higher for every other metric; the first epoch always improves), and
 * training stops once {@code patience} epochs in a row have not improved. Patience 0 never stops.
 */
final class EarlyStopping {
  private final boolean lowerIsBetter;
  private final int patience;
  private double best = Double.NaN;
  private int badEpochs;

  /**
   * @param metric the metric's name ("loss" is minimised, the rest maximised)
   * @param patience epochs without improvement before stopping, ≥ 0
   */
  EarlyStopping(String metric, int patience) {
    if (patience < 0) {
      throw new IllegalArgumentException("patience must be >= 0, got " + patience);
    }
    this.lowerIsBetter = metric.equals("loss");
    this.patience = patience;
  }

  /** Records one epoch's value; returns whether it is the best so far. Modifies the state. */
  boolean record(double value) {
    boolean improved = Double.isNaN(best) || (lowerIsBetter ? value < best : value > best);
    if (improved) {
      best = value;
      badEpochs = 0;
    } else {
      badEpochs++;
    }
    return improved;
  }

  /** Whether the last {@code patience} epochs all failed to improve (never with patience 0). */
  boolean shouldStop() {
    return patience > 0 && badEpochs >= patience;
  }

  /** The best value so far (NaN before the first epoch). */
  double best() {
    return best;
  }

  /** Epochs since the last improvement. */
  int badEpochs() {
    return badEpochs;
  }

  /** Restores the state saved from {@link #best()} and {@link #badEpochs()}. */
  void restore(double savedBest, int savedBadEpochs) {
    this.best = savedBest;
    this.badEpochs = savedBadEpochs;
  }
}
