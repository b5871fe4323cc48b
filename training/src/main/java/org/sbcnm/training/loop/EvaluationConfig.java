package org.sbcnm.training.loop;

import java.util.Arrays;

/**
 * What a run measures and how it selects.
 *
 * @param validation hold each user's second-to-last interaction out of training as the validation
 *     split, which per-epoch metrics and early stopping read (the test split is scored once, at the
 *     end); without it epochs report their loss only
 * @param ks cut-offs K of Recall@K and NDCG@K
 * @param earlyStopMetric the validation metric early stopping watches: recall@K, ndcg@K, mrr or
 *     loss
 * @param patience epochs without improvement before stopping (0 = never stop early); needs the
 *     validation split
 */
public record EvaluationConfig(boolean validation, int[] ks, String earlyStopMetric, int patience) {
  public EvaluationConfig {
    TrainConfig.range("patience", patience, 0, 100_000);
    if (patience > 0 && !validation) {
      throw new IllegalArgumentException(
          "early stopping (patience "
              + patience
              + ") needs the validation split: it selects on validation, never on the test split");
    }
    if (ks == null || ks.length == 0) {
      throw new IllegalArgumentException("at least one cut-off K is required");
    }
    ks = ks.clone();
    for (int k : ks) {
      TrainConfig.range("k", k, 1, 100_000);
    }
    if (earlyStopMetric == null || !earlyStopMetric.matches("(recall|ndcg)@\\d+|mrr|loss")) {
      throw new IllegalArgumentException(
          "early-stopping metric must be recall@K, ndcg@K, mrr or loss, got '"
              + earlyStopMetric
              + "'");
    }
  }

  /** The cut-offs (a copy: the config stays unchanged). */
  @Override
  public int[] ks() {
    return ks.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof EvaluationConfig e
        && validation == e.validation
        && Arrays.equals(ks, e.ks)
        && earlyStopMetric.equals(e.earlyStopMetric)
        && patience == e.patience;
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(ks) * 31
        + earlyStopMetric.hashCode() * 7
        + patience * 2
        + (validation ? 1 : 0);
  }

  @Override
  public String toString() {
    return "EvaluationConfig[validation="
        + validation
        + ", ks="
        + Arrays.toString(ks)
        + ", earlyStopMetric="
        + earlyStopMetric
        + ", patience="
        + patience
        + "]";
  }
}
