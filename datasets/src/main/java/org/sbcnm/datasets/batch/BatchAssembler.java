package org.sbcnm.datasets.batch;

import java.util.SplittableRandom;
import org.sbcnm.datasets.prepared.Interactions;
import org.sbcnm.datasets.split.UserHistories;
import org.sbcnm.engine.param.Seeds;
import org.sbcnm.engine.tensor.Tensor;

/**
 * Fills the reusable {@link TrainingBatch} of one training step from a shuffled slice of the
 * training interactions: for the m examples {@code perm[from, from + m)}, the rows (users, and for
 * history towers each example's bag of the user's items strictly before it), the item columns (the
 * m positives, then u uniform extra negatives), log q of every column and the row weights.
 *
 * <p>log q: the probability source observes the m positives (one training step) and gives log p̂
 * per batch slot; the extras get log p̂ of their items; with extras, every column's log p̂ becomes
 * the mixture log qⱼ = log((m·p̂ⱼ + u/N) / (m + u)) ({@link
 * ColumnProbabilities#logMixtureInPlace}). Row weights are the ratings with {@code useRatings},
 * else 1. The shuffle of epoch e is seeded by (seed, e) ({@link #shuffle}); extra negative r of
 * global step t is a counter-based draw from (seed, t, r), so no generator state needs saving.
 * Allocates nothing after construction.
 */
public final class BatchAssembler {
  private final Interactions train;
  private final UserHistories histories;
  private final int historyLength;
  private final ColumnProbabilities probabilities;
  private final int batchSize;
  private final int extra;
  private final int numItems;
  private final boolean useRatings;
  private final long seed;
  private final TrainingBatch batch;

  /**
   * @param train the training interactions the permutations index
   * @param histories each user's training items in time order, or null for towers without bags
   * @param historyLength the most recent items a bag keeps
   * @param probabilities the log q source, or null to train without correction
   * @param batchSize B, examples per full batch
   * @param extra u, uniform extra negatives per step
   * @param numItems N, the catalogue the extras are drawn from
   * @param useRatings weigh rows by their rating
   * @param seed seeds the shuffles and the extras
   */
  public BatchAssembler(
      Interactions train,
      UserHistories histories,
      int historyLength,
      ColumnProbabilities probabilities,
      int batchSize,
      int extra,
      int numItems,
      boolean useRatings,
      long seed) {
    if (batchSize < 1 || extra < 0 || historyLength < 1 || numItems < 1) {
      throw new IllegalArgumentException(
          "batch assembler: batch "
              + batchSize
              + ", extra "
              + extra
              + ", history "
              + historyLength
              + ", items "
              + numItems);
    }
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
    this.batch =
        new TrainingBatch(
            batchSize,
            extra,
            n - (steps - 1) * batchSize,
            histories != null ? batchSize * historyLength : 0,
            probabilities != null);
  }

  /** Examples of the training set: the length of a permutation. */
  public int size() {
    return train.size();
  }

  /**
   * Assembles the batch of examples {@code perm[from, from + m)}, m = min(batch size, n − from), as
   * step {@code globalStep} (the probability source observes it). Returns the filled batch, valid
   * until the next call.
   */
  public TrainingBatch assemble(int[] perm, int from, long globalStep) {
    int m = Math.min(batchSize, train.size() - from);
    batch.resize(m, m + extra);
    int[] users = batch.users();
    int[] columns = batch.columns();
    Tensor weights = batch.weights();
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
      float[] logQ = batch.logQ();
      probabilities.observe(columns, m, logQ);
      for (int r = 0; r < extra; r++) {
        logQ[m + r] = (float) probabilities.logProbability(columns[m + r]);
      }
      ColumnProbabilities.logMixtureInPlace(logQ, m + extra, m, extra, numItems);
    }
    if (histories != null) {
      histories.trainingBags(
          perm, from, users, m, historyLength, batch.bagOffsets(), batch.bagItems());
    }
    return batch;
  }

  /**
   * Extra negative r of global step t: a counter-based draw, so no generator state needs saving.
   */
  public static int uniformItem(long seed, long step, int r, int numItems) {
    long z = Seeds.mix64(seed ^ (step * 0xBF58476D1CE4E5B9L) ^ ((r + 1) * 0x94D049BB133111EBL));
    return (int) Long.remainderUnsigned(z, numItems);
  }

  /** Fisher–Yates shuffle of 0..n−1 into {@code perm} (modified), seeded by (seed, epoch). */
  public static void shuffle(int[] perm, long seed, int epoch) {
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
