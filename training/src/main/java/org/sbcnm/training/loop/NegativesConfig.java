package org.sbcnm.training.loop;

/**
 * Which negatives each row of the batch softmax sees besides the batch's other positives.
 *
 * @param maskHits mask accidental hits: a column holding the row's own positive item elsewhere
 * @param hard keep only the k hardest negatives per row (0 = all)
 * @param mixed B′, extra negatives drawn uniformly from the catalogue per step (mixed negative
 *     sampling, Yang et al., WWW 2020 companion)
 */
public record NegativesConfig(boolean maskHits, int hard, int mixed) {
  public NegativesConfig {
    TrainConfig.range("hard_negatives", hard, 0, 1000);
    TrainConfig.range("mixed_negatives", mixed, 0, 1 << 16);
  }
}
