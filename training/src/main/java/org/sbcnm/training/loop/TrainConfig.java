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
 * @param optimizer adam, adamw, adagrad or sgd
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
 * @param earlyStopMetric metric watched for early stopping and the best model ("recall@50")
 * @param patience epochs without improvement before stopping (0 = never stop early)
 * @param ks cut-offs for Recall/NDCG
 * @param threads kernel threads
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
    int[] ks,
    int threads,
    int checkpointEvery,
    long stopAfterSteps) {

  public TrainConfig {
    range("epochs", epochs, 1, 100_000);
    range("batch_size", batchSize, 2, 1 << 16);
    optimizer = optimizer.toLowerCase(Locale.ROOT);
    if (!optimizer.matches("adam|adamw|adagrad|sgd")) {
      throw new IllegalArgumentException(
          "optimizer must be adam, adamw, adagrad or sgd, got '" + optimizer + "'");
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
    if (!(alpha > 0 && alpha <= 1)) {
      throw new IllegalArgumentException("alpha must be in (0, 1], got " + alpha);
    }
    range("hard_negatives", hardNegatives, 0, 1000);
    range("mixed_negatives", mixedNegatives, 0, 1 << 16);
    range("history_length", historyLength, 1, 10_000);
    range("patience", patience, 0, 100_000);
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
        new int[] {10, 50, 100},
        Runtime.getRuntime().availableProcessors(),
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

  public TrainConfig withEpochs(int n) {
    return new TrainConfig(
        n,
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
        ks,
        threads,
        checkpointEvery,
        stopAfterSteps);
  }

  public TrainConfig withStopAfterSteps(long n) {
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
        ks,
        threads,
        checkpointEvery,
        n);
  }

  public TrainConfig withCorrection(String c) {
    return new TrainConfig(
        epochs,
        batchSize,
        optimizer,
        lr,
        seed,
        c,
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
        ks,
        threads,
        checkpointEvery,
        stopAfterSteps);
  }

  public TrainConfig withBatchSize(int b) {
    return new TrainConfig(
        epochs,
        b,
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
        ks,
        threads,
        checkpointEvery,
        stopAfterSteps);
  }

  public TrainConfig withNegatives(int hard, int mixed) {
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
        hard,
        mixed,
        useRatings,
        historyLength,
        earlyStopMetric,
        patience,
        ks,
        threads,
        checkpointEvery,
        stopAfterSteps);
  }

  public TrainConfig withCheckpointEvery(int steps) {
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
        ks,
        threads,
        steps,
        stopAfterSteps);
  }

  public TrainConfig withThreads(int n) {
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
        ks,
        n,
        checkpointEvery,
        stopAfterSteps);
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
    m.put("ks", Arrays.toString(ks).replaceAll("[\\[\\] ]", ""));
    m.put("threads", Integer.toString(threads));
    m.put("checkpoint_every", Integer.toString(checkpointEvery));
    return m;
  }

  public static TrainConfig fromMap(Map<String, String> m) {
    return new TrainConfig(
        Integer.parseInt(m.get("epochs")),
        Integer.parseInt(m.get("batch_size")),
        m.get("optimizer"),
        Double.parseDouble(m.get("lr")),
        Long.parseLong(m.get("seed")),
        m.get("correction"),
        Integer.parseInt(m.get("hash_buckets")),
        Integer.parseInt(m.get("hashes")),
        Double.parseDouble(m.get("alpha")),
        Boolean.parseBoolean(m.get("mask_hits")),
        Integer.parseInt(m.get("hard_negatives")),
        Integer.parseInt(m.get("mixed_negatives")),
        Boolean.parseBoolean(m.get("use_ratings")),
        Integer.parseInt(m.get("history_length")),
        m.get("early_stop_metric"),
        Integer.parseInt(m.get("patience")),
        Arrays.stream(m.get("ks").split(",")).mapToInt(Integer::parseInt).toArray(),
        Integer.parseInt(m.get("threads")),
        Integer.parseInt(m.get("checkpoint_every")),
        0);
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
