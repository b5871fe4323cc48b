package org.sbcnm.training.loop;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.sbcnm.datasets.prepared.PreparedDataset;
import org.sbcnm.engine.io.AtomicFiles;
import org.sbcnm.towers.config.ModelConfig;
import org.sbcnm.towers.config.TowerConfig;
import org.sbcnm.towers.config.TowerKind;

/**
 * Random search over training configurations, selected on the validation split only.
 *
 * <p>Trial 0 is {@code train}'s defaults, so a search never selects worse than them on validation.
 * Trial t &gt; 0 draws its settings from a generator seeded by (seed, t): the towers (among those
 * the data can feed), the embedding width, the temperature, the batch size, the optimiser (Adam
 * with L2 weight decay, or AdamW with decoupled weight decay), its learning rate and weight decay,
 * and the mixed negatives. (The full softmax is left out: on MovieLens 100K it gained nothing and
 * took several times a batch-softmax trial's time.) It trains with the validation split held out,
 * early stopping on validation Recall@50 (patience 3, at most {@code maxEpochs}), and never scores
 * the test split. Trials run until the time budget is spent (a trial that has begun finishes).
 * Every trial is a row of {@code trials.csv}; the best so far is {@code best.sbcnm} (its
 * checkpoint, the best epoch's parameters) and {@code best.txt} (its settings as {@code train}
 * flags). Both are rewritten atomically after each trial, so a tuning run that is stopped resumes
 * from its table: the draws of the remaining trials do not depend on the others.
 */
public final class Tuner {
  /** The metric trials are compared by, on the validation split. */
  public static final String METRIC = "recall@50";

  /** {@code train}'s --temperature default, trial 0's. */
  static final double DEFAULT_TEMPERATURE = 0.05;

  static final String TRIALS = "trials.csv";
  static final String BEST = "best.sbcnm";
  static final String BEST_FLAGS = "best.txt";
  private static final String HEADER =
      "trial,query_tower,item_tower,dim,temperature,batch_size,optimizer,lr,weight_decay,"
          + "mixed_negatives,epochs,validation_"
          + METRIC.replace('@', '_')
          + ",seconds";

  private static final int FIELDS = HEADER.split(",").length;

  /** One trial's settings. */
  public record Trial(
      int index,
      TowerKind query,
      TowerKind item,
      int dim,
      double temperature,
      int batchSize,
      OptimizerKind optimizer,
      double lr,
      double weightDecay,
      int mixedNegatives) {
    /** The settings as flags of {@code train}. */
    public String flags() {
      return String.format(
          Locale.ROOT,
          "--query_tower %s --item_tower %s --out_dim %d --id_dim %d --temperature %s"
              + " --batch_size %d --optimizer %s --lr %s --weight_decay %s"
              + " --mixed_negatives %d",
          query.label(),
          item.label(),
          dim,
          dim,
          temperature,
          batchSize,
          optimizer.id(),
          lr,
          weightDecay,
          mixedNegatives);
    }
  }

  /** A finished trial: its settings, epochs trained, best validation score and wall time. */
  public record Outcome(Trial trial, int epochs, double validation, double seconds) {}

  private final PreparedDataset data;
  private final Path out;
  private final long seed;
  private final int maxEpochs;
  private final int threads;

  /**
   * @param out the folder of the table and the best checkpoint (created if missing)
   * @param maxEpochs the most epochs a trial trains (early stopping usually ends it sooner)
   */
  public Tuner(PreparedDataset data, Path out, long seed, int maxEpochs, int threads) {
    this.data = data;
    this.out = out;
    this.seed = seed;
    this.maxEpochs = maxEpochs;
    this.threads = threads;
  }

  /** Trial {@code t}'s settings: a function of (seed, t) and the data's features only. */
  public Trial draw(int t) {
    if (t == 0) {
      TrainConfig d = TrainConfig.defaults();
      TowerConfig q = TowerConfig.defaults(TowerKind.HISTORY);
      return new Trial(
          0,
          TowerKind.HISTORY,
          TowerKind.ID,
          q.outDim(),
          DEFAULT_TEMPERATURE,
          d.batchSize(),
          d.optimizer().kind(),
          d.optimizer().effectiveLr(),
          d.optimizer().effectiveWeightDecay(),
          d.negatives().mixed());
    }
    SplittableRandom rng = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + t);
    List<TowerKind> queries = new ArrayList<>(List.of(TowerKind.ID, TowerKind.HISTORY));
    if (data.queryFeatures().cols() > 0) {
      queries.add(TowerKind.MLP);
    }
    List<TowerKind> items = new ArrayList<>(List.of(TowerKind.ID));
    if (data.itemFeatures().cols() > 0) {
      items.add(TowerKind.MLP);
    }
    TowerKind query = pick(rng, queries);
    TowerKind item = pick(rng, items);
    int dim = pick(rng, List.of(32, 64, 128));
    double temperature = pick(rng, List.of(0.02, 0.05, 0.1, 0.2));
    int batchSize = pick(rng, List.of(128, 256, 512, 1024));
    OptimizerKind optimizer = pick(rng, List.of(OptimizerKind.ADAM, OptimizerKind.ADAMW));
    double lr = pick(rng, List.of(3e-4, 1e-3, 3e-3, 1e-2));
    double weightDecay =
        optimizer == OptimizerKind.ADAMW
            ? pick(rng, List.of(0.01, 0.1))
            : pick(rng, List.of(0.0, 1e-5, 1e-4));
    int mixed = pick(rng, List.of(0, 128, 512));
    return new Trial(
        t, query, item, dim, temperature, batchSize, optimizer, lr, weightDecay, mixed);
  }

  private static <T> T pick(SplittableRandom rng, List<T> choices) {
    return choices.get(rng.nextInt(choices.size()));
  }

  /**
   * Runs trials from the first one the table lacks until {@code budgetSeconds} have passed since
   * this call or {@code maxTrials} rows exist; returns every row, earlier runs' included.
   */
  public List<Outcome> run(
      double budgetSeconds, int maxTrials, java.util.function.Consumer<Outcome> onTrial)
      throws IOException {
    Files.createDirectories(out);
    List<String> rows = readTable();
    List<Outcome> outcomes = new ArrayList<>();
    double best = Double.NEGATIVE_INFINITY;
    for (String row : rows) {
      String[] f = row.split(",");
      Outcome o =
          new Outcome(
              draw(Integer.parseInt(f[0])),
              Integer.parseInt(f[10]),
              Double.parseDouble(f[11]),
              Double.parseDouble(f[12]));
      outcomes.add(o);
      best = Math.max(best, o.validation());
    }
    long start = System.nanoTime();
    for (int t = rows.size(); t < maxTrials; t++) {
      if ((System.nanoTime() - start) / 1e9 >= budgetSeconds) {
        break;
      }
      Outcome o = trial(draw(t));
      outcomes.add(o);
      if (onTrial != null) {
        onTrial.accept(o);
      }
      rows.add(row(o));
      if (o.validation() > best) {
        best = o.validation();
        Files.move(
            out.resolve("trial.sbcnm"),
            out.resolve(BEST),
            StandardCopyOption.REPLACE_EXISTING,
            StandardCopyOption.ATOMIC_MOVE);
        AtomicFiles.write(
            out.resolve(BEST_FLAGS),
            s -> s.write((o.trial().flags() + "\n").getBytes(StandardCharsets.UTF_8)));
      } else {
        Files.deleteIfExists(out.resolve("trial.sbcnm"));
      }
      writeTable(rows);
    }
    return outcomes;
  }

  /** Trains one trial on the validation split and reports its best validation score. */
  Outcome trial(Trial t) throws IOException {
    long start = System.nanoTime();
    TowerConfig q =
        TowerConfig.defaults(t.query()).withWidths(256, 128, t.dim()).withIdDim(t.dim());
    TowerConfig i = TowerConfig.defaults(t.item()).withWidths(256, 128, t.dim()).withIdDim(t.dim());
    long trialSeed = seed * 31 + t.index();
    ModelConfig model = new ModelConfig(q, i, t.temperature(), trialSeed);
    TrainConfig config =
        TrainConfig.builder()
            .epochs(maxEpochs)
            .batchSize(t.batchSize())
            .optimizer(t.optimizer())
            .lr(t.lr())
            .weightDecay(t.weightDecay())
            .mixedNegatives(t.mixedNegatives())
            .seed(trialSeed)
            .validation(true)
            .patience(3)
            .earlyStopMetric(METRIC)
            .ks(10, 50)
            .threads(threads)
            .build();
    TrainResult r =
        Trainer.create(data, model, config, null, out.resolve("trial.sbcnm"), null)
            .withoutTestScore()
            .run(null);
    double best = Double.NEGATIVE_INFINITY;
    for (EpochMetrics e : r.epochs()) {
      best = Math.max(best, e.metrics().getOrDefault(METRIC, Double.NEGATIVE_INFINITY));
    }
    return new Outcome(t, r.epochs().size(), best, (System.nanoTime() - start) / 1e9);
  }

  private static String row(Outcome o) {
    Trial t = o.trial();
    return String.format(
        Locale.ROOT,
        "%d,%s,%s,%d,%s,%d,%s,%s,%s,%d,%d,%.6f,%.1f",
        t.index(),
        t.query().label(),
        t.item().label(),
        t.dim(),
        t.temperature(),
        t.batchSize(),
        t.optimizer().id(),
        t.lr(),
        t.weightDecay(),
        t.mixedNegatives(),
        o.epochs(),
        o.validation(),
        o.seconds());
  }

  private List<String> readTable() throws IOException {
    Path table = out.resolve(TRIALS);
    List<String> rows = new ArrayList<>();
    if (!Files.exists(table)) {
      return rows;
    }
    List<String> lines = Files.readAllLines(table, StandardCharsets.UTF_8);
    if (lines.isEmpty() || !lines.get(0).equals(HEADER)) {
      throw new org.sbcnm.engine.io.FormatException(
          table + ": not a tuning table (expected the header " + HEADER + ")");
    }
    for (int k = 1; k < lines.size(); k++) {
      String[] f = lines.get(k).split(",");
      if (f.length != FIELDS || !f[0].equals(Integer.toString(k - 1))) {
        throw new org.sbcnm.engine.io.FormatException(
            table + ":" + (k + 1) + ": expected trial " + (k - 1) + " with " + FIELDS + " fields");
      }
      rows.add(lines.get(k));
    }
    return rows;
  }

  private void writeTable(List<String> rows) throws IOException {
    StringBuilder b = new StringBuilder(HEADER).append('\n');
    for (String r : rows) {
      b.append(r).append('\n');
    }
    AtomicFiles.write(
        out.resolve(TRIALS), s -> s.write(b.toString().getBytes(StandardCharsets.UTF_8)));
  }
}
