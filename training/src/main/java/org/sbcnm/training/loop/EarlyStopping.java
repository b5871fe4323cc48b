package org.sbcnm.training.loop;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.sbcnm.engine.param.Parameter;
import org.sbcnm.engine.tensor.Tensor;

/**
 * Early stopping on one validation metric: an epoch improves when its value beats the best so far
 * (strictly: lower for "loss", higher for every other metric; the first epoch always improves), and
 * training stops once {@code patience} epochs in a row have not improved. Patience 0 never stops.
 * Given the model's parameters, it keeps a copy of them from the best epoch, to restore at the end.
 */
final class EarlyStopping {
  private final boolean lowerIsBetter;
  private final int patience;
  private double best = Double.NaN;
  private int badEpochs;
  private Map<String, Tensor> bestParams;

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

  /**
   * Records the epoch's value of the watched metric (from {@code metrics}, or {@code loss}),
   * copying {@code params} when it is the best so far; returns whether to stop.
   *
   * @throws IllegalArgumentException when the metric was not computed
   */
  boolean track(String metric, Map<String, Double> metrics, double loss, List<Parameter> params) {
    Double value = metric.equals("loss") ? Double.valueOf(loss) : metrics.get(metric);
    if (value == null) {
      throw new IllegalArgumentException(
          "early-stopping metric "
              + metric
              + " is not computed (metrics: "
              + metrics.keySet()
              + ")");
    }
    if (record(value)) {
      bestParams = new LinkedHashMap<>();
      for (Parameter p : params) {
        bestParams.put(p.name(), p.value().copy());
      }
    }
    return shouldStop();
  }

  /** Copies the best epoch's parameters back into {@code params} (nothing kept: no change). */
  void restoreBest(List<Parameter> params) {
    if (bestParams == null) {
      return;
    }
    for (Parameter p : params) {
      p.value().copyFrom(bestParams.get(p.name()));
    }
  }

  /** The parameters of the best epoch, or null before any (not copied). */
  Map<String, Tensor> bestParams() {
    return bestParams;
  }

  /** Sets the kept parameters, as a checkpoint saved them (null for none). */
  void bestParams(Map<String, Tensor> saved) {
    this.bestParams = saved;
  }

  /** Restores the state saved from {@link #best()} and {@link #badEpochs()}. */
  void restore(double savedBest, int savedBadEpochs) {
    this.best = savedBest;
    this.badEpochs = savedBadEpochs;
  }
}
