package org.sbcnm.training.loop;

import java.util.Map;

/**
 * How to train: the batches and their epochs at the top, the rest in one small record each. Built
 * with {@link #builder()} (or {@link #toBuilder()} from another config); saved whole in every
 * checkpoint ({@link #toMap()}), so a resume trains exactly as the run it continues.
 *
 * @param epochs passes over the training interactions
 * @param batchSize B, examples per step (an epoch's last, partial batch is kept)
 * @param seed seeds shuffling and the extra negatives (the model has its own seed)
 * @param useRatings weight each row of the loss by its rating (reward)
 * @param historyLength most recent items in a history bag
 * @param optimizer the optimiser and its learning rate
 * @param correction the logit correction and its probability source
 * @param negatives masking, hard and mixed negatives
 * @param evaluation the validation split, cut-offs and early stopping
 * @param execution threads, tower and column execution, checkpoint timing
 */
public record TrainConfig(
    int epochs,
    int batchSize,
    long seed,
    boolean useRatings,
    int historyLength,
    OptimizerConfig optimizer,
    CorrectionConfig correction,
    NegativesConfig negatives,
    EvaluationConfig evaluation,
    ExecutionConfig execution) {

  public TrainConfig {
    range("epochs", epochs, 1, 100_000);
    range("batch_size", batchSize, 2, 1 << 16);
    range("history_length", historyLength, 1, 10_000);
    if (optimizer == null
        || correction == null
        || negatives == null
        || evaluation == null
        || execution == null) {
      throw new IllegalArgumentException("every part of a training config is required");
    }
  }

  static void range(String name, long v, long lo, long hi) {
    if (v < lo || v > hi) {
      throw new IllegalArgumentException(name + " must be in [" + lo + ", " + hi + "], got " + v);
    }
  }

  /**
   * The defaults, chosen on MovieLens 100K's validation split ({@code bench/ablation.sh}): 10
   * epochs, batch 256, Adam at its default rate (3e-3), streaming correction (H = 2²⁰, m = 1, α =
   * 0.01), accidental hits masked, Recall/NDCG@{10, 50, 100}, one thread per processor.
   */
  public static TrainConfig defaults() {
    return new TrainConfig(
        10,
        256,
        0,
        false,
        50,
        new OptimizerConfig(OptimizerKind.ADAM, 0, OptimizerConfig.DEFAULT_DECAY),
        new CorrectionConfig(Correction.STREAMING, 1 << 20, 1, 0.01),
        new NegativesConfig(true, 0, 0, false, 0),
        new EvaluationConfig(false, new int[] {10, 50, 100}, "recall@50", 0),
        new ExecutionConfig(Runtime.getRuntime().availableProcessors(), false, false, 0, 0));
  }

  /** A builder starting from {@link #defaults()}. */
  public static Builder builder() {
    return defaults().toBuilder();
  }

  /** A builder starting from this configuration. */
  public Builder toBuilder() {
    return new Builder(this);
  }

  /** The configuration as the flat key-value map a checkpoint stores (stopAfterSteps left out). */
  public Map<String, String> toMap() {
    return TrainConfigCodec.toMap(this);
  }

  /** Reads {@link #toMap()}'s form back, also from older checkpoints; names a missing key. */
  public static TrainConfig fromMap(Map<String, String> m) {
    return TrainConfigCodec.fromMap(m);
  }

  /** Sets any field of any part; {@link #build} checks them all. */
  public static final class Builder {
    private int epochs;
    private int batchSize;
    private long seed;
    private boolean useRatings;
    private int historyLength;
    private OptimizerKind optimizer;
    private double lr;
    private double weightDecay;
    private Correction correction;
    private int hashBuckets;
    private int hashes;
    private double alpha;
    private boolean maskHits;
    private int hardNegatives;
    private int mixedNegatives;
    private boolean fullSoftmax;
    private int crossBatch;
    private boolean validation;
    private int[] ks;
    private String earlyStopMetric;
    private int patience;
    private int threads;
    private boolean sequentialTowers;
    private boolean fullColumns;
    private int checkpointEvery;
    private long stopAfterSteps;

    private Builder(TrainConfig c) {
      epochs = c.epochs;
      batchSize = c.batchSize;
      seed = c.seed;
      useRatings = c.useRatings;
      historyLength = c.historyLength;
      optimizer = c.optimizer.kind();
      lr = c.optimizer.lr();
      weightDecay = c.optimizer.weightDecay();
      correction = c.correction.source();
      hashBuckets = c.correction.hashBuckets();
      hashes = c.correction.hashes();
      alpha = c.correction.alpha();
      maskHits = c.negatives.maskHits();
      hardNegatives = c.negatives.hard();
      mixedNegatives = c.negatives.mixed();
      fullSoftmax = c.negatives.fullSoftmax();
      crossBatch = c.negatives.crossBatch();
      validation = c.evaluation.validation();
      ks = c.evaluation.ks();
      earlyStopMetric = c.evaluation.earlyStopMetric();
      patience = c.evaluation.patience();
      threads = c.execution.threads();
      sequentialTowers = c.execution.sequentialTowers();
      fullColumns = c.execution.fullColumns();
      checkpointEvery = c.execution.checkpointEvery();
      stopAfterSteps = c.execution.stopAfterSteps();
    }

    public Builder epochs(int v) {
      epochs = v;
      return this;
    }

    public Builder batchSize(int v) {
      batchSize = v;
      return this;
    }

    public Builder seed(long v) {
      seed = v;
      return this;
    }

    public Builder useRatings(boolean v) {
      useRatings = v;
      return this;
    }

    public Builder historyLength(int v) {
      historyLength = v;
      return this;
    }

    public Builder optimizer(OptimizerKind v) {
      optimizer = v;
      return this;
    }

    public Builder lr(double v) {
      lr = v;
      return this;
    }

    /** λ ≥ 0, or {@link OptimizerConfig#DEFAULT_DECAY} for the optimiser's default. */
    public Builder weightDecay(double v) {
      weightDecay = v;
      return this;
    }

    public Builder correction(Correction v) {
      correction = v;
      return this;
    }

    public Builder hashBuckets(int v) {
      hashBuckets = v;
      return this;
    }

    public Builder hashes(int v) {
      hashes = v;
      return this;
    }

    public Builder alpha(double v) {
      alpha = v;
      return this;
    }

    public Builder maskHits(boolean v) {
      maskHits = v;
      return this;
    }

    public Builder hardNegatives(int v) {
      hardNegatives = v;
      return this;
    }

    public Builder mixedNegatives(int v) {
      mixedNegatives = v;
      return this;
    }

    public Builder fullSoftmax(boolean v) {
      fullSoftmax = v;
      return this;
    }

    public Builder crossBatch(int v) {
      crossBatch = v;
      return this;
    }

    public Builder validation(boolean v) {
      validation = v;
      return this;
    }

    public Builder ks(int... v) {
      ks = v;
      return this;
    }

    public Builder earlyStopMetric(String v) {
      earlyStopMetric = v;
      return this;
    }

    public Builder patience(int v) {
      patience = v;
      return this;
    }

    public Builder threads(int v) {
      threads = v;
      return this;
    }

    public Builder sequentialTowers(boolean v) {
      sequentialTowers = v;
      return this;
    }

    public Builder fullColumns(boolean v) {
      fullColumns = v;
      return this;
    }

    public Builder checkpointEvery(int v) {
      checkpointEvery = v;
      return this;
    }

    public Builder stopAfterSteps(long v) {
      stopAfterSteps = v;
      return this;
    }

    public TrainConfig build() {
      return new TrainConfig(
          epochs,
          batchSize,
          seed,
          useRatings,
          historyLength,
          new OptimizerConfig(optimizer, lr, weightDecay),
          new CorrectionConfig(correction, hashBuckets, hashes, alpha),
          new NegativesConfig(maskHits, hardNegatives, mixedNegatives, fullSoftmax, crossBatch),
          new EvaluationConfig(validation, ks, earlyStopMetric, patience),
          new ExecutionConfig(
              threads, sequentialTowers, fullColumns, checkpointEvery, stopAfterSteps));
    }
  }
}
