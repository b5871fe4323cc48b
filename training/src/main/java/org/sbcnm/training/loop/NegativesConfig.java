package org.sbcnm.training.loop;

/**
 * Which negatives each row of the batch softmax sees besides the batch's other positives.
 *
 * @param maskHits mask accidental hits: a column holding the row's own positive item elsewhere
 * @param hard keep only the k hardest negatives per row (0 = all)
 * @param mixed B′, extra negatives drawn uniformly from the catalogue per step (mixed negative
 *     sampling, Yang et al., WWW 2020 companion)
 * @param fullSoftmax every row's negatives are the whole catalogue, each item once (one GEMM of the
 *     batch against every item embedding per step): the exact softmax, with nothing sampled and so
 *     nothing to correct; not with hard or mixed negatives
 * @param crossBatch M, the item embeddings of recent batches kept as extra negatives ({@link
 *     org.sbcnm.training.loss.CrossBatchMemory}; 0 = none); not with hard or mixed negatives or the
 *     full softmax
 */
public record NegativesConfig(
    boolean maskHits, int hard, int mixed, boolean fullSoftmax, int crossBatch) {
  public NegativesConfig {
    TrainConfig.range("hard_negatives", hard, 0, 1000);
    TrainConfig.range("mixed_negatives", mixed, 0, 1 << 16);
    TrainConfig.range("xbm_size", crossBatch, 0, 1 << 20);
    if (fullSoftmax && (hard > 0 || mixed > 0 || crossBatch > 0)) {
      throw new IllegalArgumentException(
          "full_softmax already scores every item: it takes no hard_negatives, mixed_negatives"
              + " or xbm_size");
    }
    if (crossBatch > 0 && (hard > 0 || mixed > 0)) {
      throw new IllegalArgumentException(
          "xbm_size: cross-batch negatives take no hard_negatives or mixed_negatives");
    }
  }
}
