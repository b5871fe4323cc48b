package org.sbcnm.training.loop;

import java.util.SplittableRandom;
import org.sbcnm.datasets.prepared.Interactions;
import org.sbcnm.datasets.split.UserHistories;
import org.sbcnm.engine.param.Seeds;
import org.sbcnm.engine.tensor.Tensor;
import org.sbcnm.towers.tower.TowerBatch;
import org.sbcnm.training.sampling.SamplingProbabilities;

/**
 * Fills the reusable arrays of one training step from a shuffled slice of the training
 * interactions: for the m examples {@code perm[from, from + m)}, the query rows (users, and for
 * history towers each example's bag of the user's items strictly before it), the item columns (the
 * m positives, then u uniform extra negatives), log q of every column and the row weights.
 *
 * <p>log q: the probability source observes the m positives (one training step) and gives log p̂
 * per batch slot; the extras get log p̂ of their items; with extras, every column's log p̂ becomes
 * the mixture log qⱼ = log((m·p̂ⱼ + u/N) / (m + u)) ({@link
 * SamplingProbabilities#logMixtureInPlace}). Row weights are the ratings with {@code useRatings},
 * else 1. Extra negative r of global step t is a counter-based draw from (seed, t, r), so no
 * generator state needs saving. Allocates nothing after construction.
 */
final class BatchAssembler {
  private final Interactions train;
  private final UserHistories histories;
  private final int historyLength;
  private final SamplingProbabilities probabilities;
  private final int extra;
  private final int numItems;
  private final boolean useRatings;
  private final long seed;
  private final int[] users;
  private final int[] columns;
  private final float[] logQ;
  private final int[] bagOffsets;
  private final Tensor fullWeights;
  private final Tensor lastWeights;
  private final int batchSize;
  private int rows;

  /**
   * @param histories each user's training items in time order, or null for towers without bags
   * @param probabilities the log q source, or null to train without correction
   */
  BatchAssembler(
      Interactions train,
      UserHistories histories,
      int historyLength,
      SamplingProbabilities probabilities,
      int batchSize,
      int extra,
      int numItems,
      boolean useRatings,
      long seed) {
    this.train = train;
    this.histories = histories;
    this.historyLength = historyLength;
    this.probabilities = probabilities;
    this.batchSize = batchSize;
    this.extra = extra;
    this.numItems = numItems;
    this.useRatings = useRatings;
    this.seed = seed;
    int n = train.size();
    int steps = (n + batchSize - 1) / batchSize;
    this.users = new int[batchSize];
    this.columns = new int[batchSize + extra];
    this.logQ = new float[batchSize + extra];
    this.bagOffsets = new int[batchSize + 1];
    this.fullWeights = Tensor.zeros(batchSize, 1);
    this.lastWeights = Tensor.zeros(Math.max(1, n - (steps - 1) * batchSize), 1);
  }

  /**
   * Assembles the batch of examples {@code perm[from, from + m)}, m = min(batch size, n − from), as
   * step {@code globalStep} (the probability source observes it); fills {@code queries} (modified).
   * Returns m.
   */
  int assemble(int[] perm, int from, long globalStep, TowerBatch queries) {
    int m = Math.min(batchSize, train.size() - from);
    Tensor weights = weights(m);
    for (int r = 0; r < m; r++) {
      int k = perm[from + r];
      users[r] = train.user(k);
      columns[r] = train.item(k);
      weights.floats()[r] = useRatings ? train.rating(k) : 1f;
    }
    for (int r = 0; r < extra; r++) {
      columns[m + r] = uniformItem(seed, globalStep, r, numItems);
    }
    if (probabilities != null) {
      probabilities.observe(columns, m, logQ);
      for (int r = 0; r < extra; r++) {
        logQ[m + r] = (float) probabilities.logProbability(columns[m + r]);
      }
      SamplingProbabilities.logMixtureInPlace(logQ, m + extra, m, extra, numItems);
    }
    queries.set(users, 0, m);
    if (histories != null) {
      int[] bag = queries.bagIdsBuffer(m * historyLength);
      bagOffsets[0] = 0;
      for (int r = 0; r < m; r++) {
        bagOffsets[r + 1] =
            bagOffsets[r]
                + histories.trainingBag(
                    perm[from + r], users[r], historyLength, bag, bagOffsets[r]);
      }
      System.arraycopy(bagOffsets, 0, queries.bagOffsets(), 0, m + 1);
    }
    rows = m;
    return m;
  }

  /** The item columns of the last batch: m positives, then the extras. */
  int[] columns() {
    return columns;
  }

  /** Number of columns of the last batch, m + u. */
  int columnCount() {
    return rows + extra;
  }

  /** log q per column of the last batch, or null without correction. */
  float[] logQ() {
    return probabilities != null ? logQ : null;
  }

  /** The row weights of the last batch ([m, 1]). */
  Tensor weights() {
    return weights(rows);
  }

  private Tensor weights(int m) {
    return m == batchSize ? fullWeights : lastWeights;
  }

  /**
   * Extra negative r of global step t: a counter-based draw, so no generator state needs saving.
   */
  static int uniformItem(long seed, long step, int r, int numItems) {
    long z = Seeds.mix64(seed ^ (step * 0xBF58476D1CE4E5B9L) ^ ((r + 1) * 0x94D049BB133111EBL));
    return (int) Long.remainderUnsigned(z, numItems);
  }

  /** Fisher–Yates shuffle of 0..n−1 seeded by (seed, epoch). */
  static void shuffle(int[] perm, long seed, int epoch) {
    for (int i = 0; i < perm.length; i++) {
      perm[i] = i;
    }
    SplittableRandom rng = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + epoch);
    for (int i = perm.length - 1; i > 0; i--) {
      int j = rng.nextInt(i + 1);
      int tmp = perm[i];
      perm[i] = perm[j];
      perm[j] = tmp;
    }
  }
}
