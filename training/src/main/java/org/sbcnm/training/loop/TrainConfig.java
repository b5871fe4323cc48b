package org.sbcnm.training.loop;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * How to train.
 *
 * @param epochs passes over the training interactions
 * @param batchSize B, examples per step (the last partial batch is kept)
 * @param optimizer adam, adamw, adagrad or sgd, each updating every row of an embedding table each
 *     step as torch.optim does; or lazyadam, Adam on the batch's rows only (TensorFlow's LazyAdam)
 * @param lr learning rate (0 = the optimiser's default: adam 1e-3, adagrad 0.1, sgd 0.05)
 * @param seed seeds shuffling and extra negatives (the model has its own seed)
 * @param correction where log pⱼ comes from: streaming (Algorithm 2/3), counts, static, or none
 * @param hashBuckets estimator buckets per hash (power of two)
 * @param hashes estimator hash functions m
 * @param alpha estimator learning rate α
 * @param maskHits accidental-hit masking
 * @param hardNegatives keep the k hardest negatives per row (0 = all)
 * @param mixedNegatives B′ extra negatives drawn uniformly from the catalogue per step
 * @param useRatings weight each row by its rating (reward)
 * @param historyLength most recent items in a history bag
 * @param earlyStopMetric validation metric watched for early stopping and the best model
 *     ("recall@50")
 * @param patience epochs without improvement before stopping (0 = never stop early); needs the
 *     validation split
 * @param validation hold each user's second-to-last interaction out of training as the validation
 *     split, which per-epoch metrics and early stopping read (the test split is scored once, at the
 *     end); without it epochs report their loss only
 * @param ks cut-offs for Recall/NDCG
 * @param threads kernel threads
 * @param sequentialTowers run the two towers one after the other even when they could run side by
 *     side (same model either way, up to rounding order: saved, so a resume keeps it)
 * @param fullColumns compute every in-batch column instead of one per distinct item (same loss up
 *     to rounding order; saved, so a resume keeps it)
 * @param checkpointEvery also checkpoint every this many steps (0 = at epoch ends only)
 * @param stopAfterSteps stop (as if killed) after this many steps in this run (0 = never); for
 *     tests
 */
public record TrainConfig(
    int epochs,
    int batchSize,
    String optimizer,
    double lr,
    long seed,
    String correction,
    int hashBuckets,
    int hashes,
    double alpha,
    boolean maskHits,
    int hardNegatives,
    int mixedNegatives,
    boolean useRatings,
    int historyLength,
    String earlyStopMetric,
    int patience,
    boolean validation,
    int[] ks,
    int threads,
    boolean sequentialTowers,
    boolean fullColumns,
    int checkpointEvery,
    long stopAfterSteps) {

  public TrainConfig {
    range("epochs", epochs, 1, 100_000);
    range("batch_size", batchSize, 2, 1 << 16);
    optimizer = optimizer.toLowerCase(Locale.ROOT);
    if (!optimizer.matches("adam|lazyadam|adamw|adagrad|sgd")) {
      throw new IllegalArgumentException(
          "optimizer must be adam, lazyadam, adamw, adagrad or sgd, got '" + optimizer + "'");
    }
    if (!(lr >= 0) || Double.isInfinite(lr)) {
      throw new IllegalArgumentException("lr must be finite and >= 0, got " + lr);
    }
    correction = correction.toLowerCase(Locale.ROOT);
    if (!correction.matches("streaming|counts|static|none")) {
      throw new IllegalArgumentException(
          "correction must be streaming, counts, static or none, got '" + correction + "'");
    }
    if (hashBuckets < 1 || Integer.bitCount(hashBuckets) != 1) {
      throw new IllegalArgumentException("hash_buckets must be a power of two, got " + hashBuckets);
    }
    range("hashes", hashes, 1, 64);
    if (!(alpha > 0 && alpha < 1)) {
      // At α = 1 the estimate keeps only the last gap, which is 0 for an item seen twice in one
      // batch: p = 1/0 and the first step's loss is not finite.
      throw new IllegalArgumentException(
          "alpha must be in (0, 1) (the estimator's learning rate; 0.01 by default), got " + alpha);
    }
    range("hard_negatives", hardNegatives, 0, 1000);
    range("mixed_negatives", mixedNegatives, 0, 1 << 16);
    range("history_length", historyLength, 1, 10_000);
    range("patience", patience, 0, 100_000);
    if (patience > 0 && !validation) {
      throw new IllegalArgumentException(
          "early stopping (patience "
              + patience
              + ") needs the validation split: it selects on validation, never on the test split");
    }
    range("threads", threads, 1, 1024);
    range("checkpoint_every", checkpointEvery, 0, Integer.MAX_VALUE);
    if (stopAfterSteps < 0) {
      throw new IllegalArgumentException("stop_after_steps must be >= 0");
    }
    if (ks == null || ks.length == 0) {
      throw new IllegalArgumentException("at least one cut-off K is required");
    }
    ks = ks.clone();
    for (int k : ks) {
      range("k", k, 1, 100_000);
    }
    if (!earlyStopMetric.matches("(recall|ndcg)@\\d+|mrr|loss")) {
      throw new IllegalArgumentException(
          "early-stopping metric must be recall@K, ndcg@K, mrr or loss, got '"
              + earlyStopMetric
              + "'");
    }
  }

  private static void range(String name, long v, long lo, long hi) {
    if (v < lo || v > hi) {
      throw new IllegalArgumentException(name + " must be in [" + lo + ", " + hi + "], got " + v);
    }
  }

  /**
   * The reference run: 5 epochs, batch 1024, Adam 1e-3, streaming correction (H = 2²⁰, α = 0.01),
   * masking on.
   */
  public static TrainConfig defaults() {
    return new TrainConfig(
        5,
        1024,
        "adam",
        0,
        0,
        "streaming",
        1 << 20,
        1,
        0.01,
        true,
        0,
        0,
        false,
        50,
        "recall@50",
        0,
        false,
        new int[] {10, 50, 100},
        Runtime.getRuntime().availableProcessors(),
        false,
        false,
        0,
        0);
  }

  /** The learning rate in force. */
  public double effectiveLr() {
    if (lr > 0) {
      return lr;
    }
    switch (optimizer) {
      case "adagrad":
        return 0.1;
      case "sgd":
        return 0.05;
      default:
        return 1e-3;
    }
  }

  /** A builder starting from this configuration. */
  public Builder toBuilder() {
    return new Builder(this);
  }

  public TrainConfig withEpochs(int n) {
    return toBuilder().epochs(n).build();
  }

  public TrainConfig withStopAfterSteps(long n) {
    return toBuilder().stopAfterSteps(n).build();
  }

  public TrainConfig withCorrection(String c) {
    return toBuilder().correction(c).build();
  }

  public TrainConfig withBatchSize(int b) {
    return toBuilder().batchSize(b).build();
  }

  public TrainConfig withNegatives(int hard, int mixed) {
    return toBuilder().hardNegatives(hard).mixedNegatives(mixed).build();
  }

  public TrainConfig withCheckpointEvery(int steps) {
    return toBuilder().checkpointEvery(steps).build();
  }

  public TrainConfig withThreads(int n) {
    return toBuilder().threads(n).build();
  }

  /** Sets components one by one; {@link #build} checks them all. */
  public static final class Builder {
    private int epochs;
    private int batchSize;
    private String optimizer;
    private double lr;
    private long seed;
    private String correction;
    private int hashBuckets;
    private int hashes;
    private double alpha;
    private boolean maskHits;
    private int hardNegatives;
    private int mixedNegatives;
    private boolean useRatings;
    private int historyLength;
    private String earlyStopMetric;
    private int patience;
    private boolean validation;
    private int[] ks;
    private int threads;
    private boolean sequentialTowers;
    private boolean fullColumns;
    private int checkpointEvery;
    private long stopAfterSteps;

    private Builder(TrainConfig c) {
      epochs = c.epochs;
      batchSize = c.batchSize;
      optimizer = c.optimizer;
      lr = c.lr;
      seed = c.seed;
      correction = c.correction;
      hashBuckets = c.hashBuckets;
      hashes = c.hashes;
      alpha = c.alpha;
      maskHits = c.maskHits;
      hardNegatives = c.hardNegatives;
      mixedNegatives = c.mixedNegatives;
      useRatings = c.useRatings;
      historyLength = c.historyLength;
      earlyStopMetric = c.earlyStopMetric;
      patience = c.patience;
      validation = c.validation;
      ks = c.ks;
      threads = c.threads;
      sequentialTowers = c.sequentialTowers;
      fullColumns = c.fullColumns;
      checkpointEvery = c.checkpointEvery;
      stopAfterSteps = c.stopAfterSteps;
    }

    public Builder epochs(int v) {
      epochs = v;
      return this;
    }

    public Builder batchSize(int v) {
      batchSize = v;
      return this;
    }

    public Builder optimizer(String v) {
      optimizer = v;
      return this;
    }

    public Builder lr(double v) {
      lr = v;
      return this;
    }

    public Builder seed(long v) {
      seed = v;
      return this;
    }

    public Builder correction(String v) {
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

    public Builder useRatings(boolean v) {
      useRatings = v;
      return this;
    }

    public Builder historyLength(int v) {
      historyLength = v;
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

    public Builder validation(boolean v) {
      validation = v;
      return this;
    }

    public Builder ks(int[] v) {
      ks = v;
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
          optimizer,
          lr,
          seed,
          correction,
          hashBuckets,
          hashes,
          alpha,
          maskHits,
          hardNegatives,
          mixedNegatives,
          useRatings,
          historyLength,
          earlyStopMetric,
          patience,
          validation,
          ks,
          threads,
          sequentialTowers,
          fullColumns,
          checkpointEvery,
          stopAfterSteps);
    }
  }

  public Map<String, String> toMap() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("epochs", Integer.toString(epochs));
    m.put("batch_size", Integer.toString(batchSize));
    m.put("optimizer", optimizer);
    m.put("lr", Double.toString(lr));
    m.put("seed", Long.toString(seed));
    m.put("correction", correction);
    m.put("hash_buckets", Integer.toString(hashBuckets));
    m.put("hashes", Integer.toString(hashes));
    m.put("alpha", Double.toString(alpha));
    m.put("mask_hits", Boolean.toString(maskHits));
    m.put("hard_negatives", Integer.toString(hardNegatives));
    m.put("mixed_negatives", Integer.toString(mixedNegatives));
    m.put("use_ratings", Boolean.toString(useRatings));
    m.put("history_length", Integer.toString(historyLength));
    m.put("early_stop_metric", earlyStopMetric);
    m.put("patience", Integer.toString(patience));
    m.put("validation", Boolean.toString(validation));
    m.put("ks", Arrays.toString(ks).replaceAll("[\\[\\] ]", ""));
    m.put("threads", Integer.toString(threads));
    m.put("sequential_towers", Boolean.toString(sequentialTowers));
    m.put("full_columns", Boolean.toString(fullColumns));
    m.put("checkpoint_every", Integer.toString(checkpointEvery));
    return m;
  }

  public static TrainConfig fromMap(Map<String, String> m) {
    return new TrainConfig(
        intOf(m, "epochs"),
        intOf(m, "batch_size"),
        get(m, "optimizer"),
        doubleOf(m, "lr"),
        longOf(m, "seed"),
        get(m, "correction"),
        intOf(m, "hash_buckets"),
        intOf(m, "hashes"),
        doubleOf(m, "alpha"),
        Boolean.parseBoolean(get(m, "mask_hits")),
        intOf(m, "hard_negatives"),
        intOf(m, "mixed_negatives"),
        Boolean.parseBoolean(get(m, "use_ratings")),
        intOf(m, "history_length"),
        get(m, "early_stop_metric"),
        intOf(m, "patience"),
        // Checkpoints from before the validation split: early stopping is the one run that needs
        // it, and it now always has it.
        Boolean.parseBoolean(
            m.getOrDefault("validation", Boolean.toString(!"0".equals(m.get("patience"))))),
        ks(m),
        intOf(m, "threads"),
        // Checkpoints from before these were saved ran with both off.
        Boolean.parseBoolean(m.getOrDefault("sequential_towers", "false")),
        Boolean.parseBoolean(m.getOrDefault("full_columns", "false")),
        intOf(m, "checkpoint_every"),
        0);
  }

  private static String get(Map<String, String> m, String key) {
    String v = m.get(key);
    if (v == null) {
      throw new IllegalArgumentException("training config lacks '" + key + "'");
    }
    return v;
  }

  private static long longOf(Map<String, String> m, String key) {
    try {
      return Long.parseLong(get(m, key).trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "training config '" + key + "' = '" + m.get(key) + "' is not a whole number");
    }
  }

  private static int intOf(Map<String, String> m, String key) {
    long v = longOf(m, key);
    if (v != (int) v) {
      throw new IllegalArgumentException(
          "training config '" + key + "' = " + v + " is out of range");
    }
    return (int) v;
  }

  private static double doubleOf(Map<String, String> m, String key) {
    try {
      return Double.parseDouble(get(m, key).trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "training config '" + key + "' = '" + m.get(key) + "' is not a number");
    }
  }

  private static int[] ks(Map<String, String> m) {
    try {
      return Arrays.stream(get(m, "ks").split(","))
          .mapToInt(k -> Integer.parseInt(k.trim()))
          .toArray();
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "training config 'ks' = '" + m.get("ks") + "' is not a list of whole numbers");
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TrainConfig && toMap().equals(((TrainConfig) o).toMap());
  }

  @Override
  public int hashCode() {
    return toMap().hashCode();
  }

  @Override
  public String toString() {
    return "TrainConfig" + toMap();
  }
}
