package org.sbcnm.training.loop;

import org.sbcnm.training.sampling.ExactCounts;
import org.sbcnm.training.sampling.SamplingProbabilities;
import org.sbcnm.training.sampling.StreamingFrequencyEstimator;

/**
 * The logit correction sᵢⱼ − log pⱼ and its probability source (Yi et al., RecSys 2019).
 *
 * @param source where pⱼ comes from
 * @param hashBuckets H, estimator buckets per hash function (a power of two)
 * @param hashes m, estimator hash functions (the multi-hash variant keeps the largest gap)
 * @param alpha α, the estimator's learning rate, in (0, 1)
 */
public record CorrectionConfig(Correction source, int hashBuckets, int hashes, double alpha) {
  public CorrectionConfig {
    if (source == null) {
      throw new IllegalArgumentException("correction is required");
    }
    if (hashBuckets < 1 || Integer.bitCount(hashBuckets) != 1) {
      throw new IllegalArgumentException("hash_buckets must be a power of two, got " + hashBuckets);
    }
    TrainConfig.range("hashes", hashes, 1, 64);
    if (!(alpha > 0 && alpha < 1)) {
      // At α = 1 the estimate keeps only the last gap, which is 0 for an item seen twice in one
      // batch: p = 1/0 and the first step's loss is not finite.
      throw new IllegalArgumentException(
          "alpha must be in (0, 1) (the estimator's learning rate; 0.01 by default), got " + alpha);
    }
  }

  /**
   * A new probability source for a catalogue of {@code numItems}: the estimator (sized against the
   * heap first) or exact counts; null for {@link Correction#NONE} and {@link Correction#STATIC},
   * whose probabilities come with the run.
   */
  public SamplingProbabilities create(int numItems) {
    switch (source) {
      case STREAMING:
        MemoryBudget.require(
            (long) hashBuckets * hashes * 16,
            "the frequency estimator (--hash_buckets "
                + hashBuckets
                + " x --hashes "
                + hashes
                + ")");
        return new StreamingFrequencyEstimator(hashBuckets, hashes, alpha, 0);
      case COUNTS:
        return new ExactCounts(numItems);
      default:
        return null;
    }
  }
}
