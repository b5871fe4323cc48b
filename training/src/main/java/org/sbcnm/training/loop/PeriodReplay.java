package org.sbcnm.training.loop;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.sbcnm.datasets.prepared.Interactions;
import org.sbcnm.datasets.prepared.PreparedDataset;
import org.sbcnm.datasets.split.HeldOutSplit;
import org.sbcnm.datasets.split.UserHistories;
import org.sbcnm.engine.kernel.KernelPool;
import org.sbcnm.towers.config.ModelConfig;
import org.sbcnm.towers.config.TowerKind;
import org.sbcnm.towers.tower.TwoTowerModel;
import org.sbcnm.training.eval.QueryEncoder;
import org.sbcnm.training.eval.RetrievalMetrics;

/**
 * The paper's protocol on a timestamped dataset (Yi et al., RecSys 2019, section 6): the
 * interactions are cut into periods by time; a model trains on period p, then is scored on period p
 * + 1, and goes on to train on it, warm-started ({@link Trainer#warmStart}).
 *
 * <p><b>Cut</b>: period p holds the interactions with bounds[p] ≤ timestamp &lt; bounds[p + 1];
 * {@link #byCount} cuts into P periods of about equal size (at timestamp changes, so one instant
 * never straddles two periods), {@link #byLength} into periods of one length of the clock.
 *
 * <p><b>Score</b> after period p, on period p + 1: a test case per distinct (user, item) of p + 1
 * whose user has interactions in periods 0..p and whose item is not among them; the item is ranked
 * against the whole catalogue with the user's earlier items left out ({@link
 * HeldOutSplit#nextPeriod}), a history tower's bag holding them; Recall@K and NDCG@K as in {@link
 * RetrievalMetrics} (one held-out item per test case).
 *
 * <p><b>Variants</b>, side by side on the same periods:
 *
 * <ul>
 *   <li>{@code carried}: warm starts that carry the model, the optimiser and the frequency estimate
 *       from period to period, as the paper's model does from day to day;
 *   <li>{@code reset}: the same, with the estimator started afresh each period;
 *   <li>{@code uncorrected}: warm starts without the logQ correction;
 *   <li>{@code scratch}: a new model each period, trained on every period so far.
 * </ul>
 *
 * Each run's epochs are the config's (per period; {@code scratch} makes that many passes over all
 * the data so far). The item graph of a GCN tower is the dataset's, built over every period.
 */
public final class PeriodReplay {
  /** The ways of carrying a model from one period to the next. */
  public enum Variant {
    CARRIED,
    RESET,
    UNCORRECTED,
    SCRATCH;

    public String id() {
      return name().toLowerCase(Locale.ROOT);
    }

    /** The variant named {@code s} (case-insensitive). */
    public static Variant parse(String s) {
      for (Variant v : values()) {
        if (v.id().equalsIgnoreCase(s.trim())) {
          return v;
        }
      }
      throw new IllegalArgumentException(
          "unknown variant '" + s + "' (carried, reset, uncorrected or scratch)");
    }
  }

  /**
   * The score of one variant on one period.
   *
   * @param period the period scored (1..P−1), after training on the periods before it
   * @param trainInteractions interactions the last training run passed over per epoch
   * @param testCases (user, item) cases scored
   * @param trainSeconds wall time of the training run before the score
   * @param metrics Recall@K, NDCG@K and MRR
   */
  public record Score(
      Variant variant,
      int period,
      int trainInteractions,
      int testCases,
      double trainSeconds,
      Map<String, Double> metrics) {}

  /** Called after each score. */
  public interface Listener {
    void scored(Score score);
  }

  private final PreparedDataset data;
  private final long[] bounds;
  private final ModelConfig modelConfig;
  private final TrainConfig config;
  private final Path workDir;
  private final Interactions[] periods;

  /**
   * @param bounds P + 1 increasing timestamps cutting the data into P ≥ 2 periods
   * @param config each period's training (without a validation split)
   * @param workDir where each variant keeps its latest checkpoint (the warm start reads it)
   */
  public PeriodReplay(
      PreparedDataset data,
      long[] bounds,
      ModelConfig modelConfig,
      TrainConfig config,
      Path workDir) {
    if (bounds.length < 3) {
      throw new IllegalArgumentException("periods: at least two periods are needed");
    }
    if (config.evaluation().validation()) {
      throw new IllegalArgumentException("periods: each period trains without a validation split");
    }
    this.data = data;
    this.bounds = bounds.clone();
    this.modelConfig = modelConfig;
    this.config = config;
    this.workDir = workDir;
    this.periods = new Interactions[bounds.length - 1];
    for (int p = 0; p < periods.length; p++) {
      periods[p] = between(data.interactions(), bounds[p], bounds[p + 1]);
      if (periods[p].size() == 0) {
        throw new IllegalArgumentException(
            "periods: period " + p + " [" + bounds[p] + ", " + bounds[p + 1] + ") is empty");
      }
    }
  }

  /** Interactions in each period, in order. */
  public int[] periodSizes() {
    return Arrays.stream(periods).mapToInt(Interactions::size).toArray();
  }

  /** Bounds cutting {@code all} into {@code count} periods of about equal size. */
  public static long[] byCount(Interactions all, int count) {
    long[] t = all.timestamps().clone();
    Arrays.sort(t);
    if (count < 2 || count > t.length) {
      throw new IllegalArgumentException(
          "periods: between 2 and " + t.length + " periods, got " + count);
    }
    long[] bounds = new long[count + 1];
    bounds[0] = t[0];
    bounds[count] = t[t.length - 1] + 1;
    for (int p = 1; p < count; p++) {
      bounds[p] = Math.max(bounds[p - 1] + 1, t[(int) ((long) t.length * p / count)]);
    }
    return bounds;
  }

  /** Bounds cutting {@code all} into periods of {@code length} from its first timestamp on. */
  public static long[] byLength(Interactions all, long length) {
    long first = Arrays.stream(all.timestamps()).min().orElse(0);
    long last = Arrays.stream(all.timestamps()).max().orElse(0);
    if (length < 1) {
      throw new IllegalArgumentException("periods: the length must be positive, got " + length);
    }
    long count = (last - first) / length + 1;
    if (count < 2 || count > 10_000) {
      throw new IllegalArgumentException(
          "periods: a length of " + length + " cuts the data into " + count + " periods");
    }
    long[] bounds = new long[(int) count + 1];
    for (int p = 0; p <= count; p++) {
      bounds[p] = first + p * length;
    }
    return bounds;
  }

  private static Interactions between(Interactions all, long from, long to) {
    int[] keep = new int[all.size()];
    int n = 0;
    for (int k = 0; k < all.size(); k++) {
      if (all.timestamp(k) >= from && all.timestamp(k) < to) {
        keep[n++] = k;
      }
    }
    return all.select(keep, n);
  }

  /** Interactions of periods [from, to), in period order. */
  private Interactions span(int from, int to) {
    int n = 0;
    for (int p = from; p < to; p++) {
      n += periods[p].size();
    }
    int[] users = new int[n];
    int[] items = new int[n];
    float[] ratings = new float[n];
    long[] times = new long[n];
    int at = 0;
    for (int p = from; p < to; p++) {
      Interactions i = periods[p];
      System.arraycopy(i.users(), 0, users, at, i.size());
      System.arraycopy(i.items(), 0, items, at, i.size());
      System.arraycopy(i.ratings(), 0, ratings, at, i.size());
      System.arraycopy(i.timestamps(), 0, times, at, i.size());
      at += i.size();
    }
    return new Interactions(users, items, ratings, times);
  }

  /** The dataset with only {@code interactions}: the same ids, features, fields and graph. */
  private PreparedDataset with(Interactions interactions, String what) {
    return new PreparedDataset(
        data.queryFeatures(),
        data.itemFeatures(),
        data.users(),
        data.items(),
        interactions,
        data.querySide(),
        data.itemSide(),
        data.itemEdges(),
        data.checksum() + " " + what);
  }

  /**
   * Runs every variant over every period on {@code pool}; the scores in variant order, then period
   * order. Period by period, so that the next period's test cases and bags, which every variant
   * shares, are built once.
   */
  public List<Score> run(List<Variant> variants, Listener listener, KernelPool pool)
      throws IOException {
    Files.createDirectories(workDir);
    List<Score> scores = new ArrayList<>();
    for (int p = 0; p + 1 < periods.length; p++) {
      Interactions before = span(0, p);
      Interactions upTo = span(0, p + 1);
      HeldOutSplit next = HeldOutSplit.nextPeriod(upTo, periods[p + 1], data.numUsers());
      UserHistories bags =
          modelConfig.query().kind() == TowerKind.HISTORY
              ? UserHistories.of(upTo, data.numUsers())
              : null;
      for (Variant v : variants) {
        Trainer t = trainer(v, p, before, upTo);
        long start = System.nanoTime();
        t.run(new Trainer.Listener() {}, pool);
        double seconds = (System.nanoTime() - start) / 1e9;
        Score s =
            score(v, p + 1, t.model(), t.trainingInteractions().size(), seconds, next, bags, pool);
        scores.add(s);
        listener.scored(s);
      }
    }
    for (Variant v : variants) {
      Files.deleteIfExists(checkpoint(v));
    }
    scores.sort(Comparator.comparingInt(s -> variants.indexOf(s.variant())));
    return scores;
  }

  private Path checkpoint(Variant v) {
    return workDir.resolve(v.id() + ".sbcnm");
  }

  /** The run of variant {@code v} on period p (or periods 0..p from scratch). */
  private Trainer trainer(Variant v, int p, Interactions before, Interactions upTo)
      throws IOException {
    TrainConfig c =
        v == Variant.UNCORRECTED ? config.toBuilder().correction(Correction.NONE).build() : config;
    if (v == Variant.SCRATCH) {
      return Trainer.create(with(upTo, "periods 0-" + p), modelConfig, c, null, null, null)
          .asPeriod(span(0, 0));
    }
    PreparedDataset period = with(periods[p], "period " + p);
    Path ckpt = checkpoint(v);
    Trainer t =
        p == 0
            ? Trainer.create(period, modelConfig, c, null, ckpt, null)
            : Trainer.warmStart(period, ckpt, saved -> c, v == Variant.RESET, null, ckpt, null);
    return t.asPeriod(before);
  }

  /** The score of {@code model} on period {@code next}: its test cases, with its users' bags. */
  private Score score(
      Variant v,
      int next,
      TwoTowerModel model,
      int trained,
      double seconds,
      HeldOutSplit split,
      UserHistories bags,
      KernelPool pool) {
    int[] ranks;
    try (KernelPool.Binding b = pool.bind()) {
      ranks =
          RetrievalMetrics.ranks(
              model,
              split,
              model.itemEmbeddings(),
              QueryEncoder.of(bags, config.historyLength()),
              null);
    }
    return new Score(
        v,
        next,
        trained,
        split.testSize(),
        seconds,
        RetrievalMetrics.fromRanks(ranks, config.evaluation().ks()));
  }
}
