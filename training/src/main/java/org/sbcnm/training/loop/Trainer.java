package org.sbcnm.training.loop;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.IntStream;
import org.sbcnm.datasets.batch.BatchAssembler;
import org.sbcnm.datasets.prepared.Interactions;
import org.sbcnm.datasets.prepared.PreparedDataset;
import org.sbcnm.datasets.split.HeldOutSplit;
import org.sbcnm.engine.io.FormatException;
import org.sbcnm.engine.io.TensorBundle;
import org.sbcnm.engine.kernel.KernelPool;
import org.sbcnm.engine.optim.Optimizer;
import org.sbcnm.engine.tensor.DType;
import org.sbcnm.towers.config.ModelConfig;
import org.sbcnm.towers.config.TowerKind;
import org.sbcnm.towers.tower.TwoTowerModel;
import org.sbcnm.training.eval.QueryEncoder;
import org.sbcnm.training.loss.BatchSoftmaxLoss;
import org.sbcnm.training.loss.CrossBatchMemory;
import org.sbcnm.training.loss.DistinctColumns;
import org.sbcnm.training.sampling.SamplingProbabilities;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trains a two-tower model with the sampling-bias-corrected batch softmax (Yi et al., RecSys 2019).
 *
 * <p>Per step: B training examples in a seeded per-epoch shuffle; B′ uniform extra negatives if
 * mixed negative sampling is on; the sampling probability source observes the batch's items and
 * gives log pⱼ; query and item towers; {@link BatchSoftmaxLoss}; backward; optimiser step. With two
 * kernel threads or more, towers that share no parameter run side by side, one per thread, forward
 * and backward ({@link ConcurrentTowers}); {@link ExecutionConfig#sequentialTowers()} runs them one
 * after the other, each split across the threads. Both give the same model.
 *
 * <p><b>Distinct columns</b>: the item tower runs on the batch's distinct (item, log q) pairs only
 * and the loss counts each as often as it fills a column ({@link DistinctColumns}, {@link
 * BatchSoftmaxLoss#applyDistinct}): the loss of every column, computed on about 56% of them on
 * Zipf-shaped data. Not with hard negatives; {@link ExecutionConfig#fullColumns()} computes every
 * column.
 *
 * <p><b>Batches</b> come from a {@link BatchAssembler}: the shuffled examples, B′ uniform extra
 * negatives with mixed negative sampling (Yang et al., WWW 2020 companion), log q of every column
 * (the mixture qⱼ = (B·pⱼ + B′/N) / (B + B′) with extras), history bags and row weights.
 *
 * <p><b>Determinism</b>: the shuffle of epoch e comes from (seed, e), the extra negatives of step t
 * from (seed, t), so the same seed and thread count give the same model bit for bit, and a run
 * resumed from a checkpoint ends where an uninterrupted one would. Checkpoints (atomic) hold the
 * model, the optimiser and estimator states, both configs, the seed, the dataset checksum, the
 * kernel implementation and the progress ({@link CheckpointCodec} owns the schema). A {@code {}} in
 * the checkpoint's file name writes one file per epoch ({@link CheckpointFiles}).
 */
public final class Trainer {
  private static final Logger LOG = LoggerFactory.getLogger(Trainer.class);

  /** Progress callbacks; both default to nothing. */
  public interface Listener {
    default void step(long stepsDone, long stepsTotal, double loss) {}

    default void epoch(EpochMetrics metrics) {}
  }

  private final PreparedDataset data;
  private RunSplits splits;
  private final ModelConfig modelConfig;
  private final TrainConfig config;
  private final TwoTowerModel model;
  private final Optimizer optimizer;
  private final SamplingProbabilities probabilities;
  private final CrossBatchMemory memory;
  private final Path checkpoint;
  private EpochLoop loop;
  private final Path metricsLog;
  private StepProfile profile;
  private String warmStartedFrom;

  private Trainer(
      PreparedDataset data,
      ModelConfig modelConfig,
      TrainConfig config,
      SamplingProbabilities probabilities,
      Path checkpoint,
      Path metricsLog) {
    this.data = data;
    this.splits =
        new RunSplits(
            data,
            config.evaluation().validation(),
            modelConfig.query().kind() == TowerKind.HISTORY,
            config.historyLength());
    this.modelConfig = modelConfig;
    this.config = config;
    this.model = Models.build(modelConfig, data);
    this.optimizer = config.optimizer().create();
    optimizer.init(model.parameters());
    this.probabilities = probabilities;
    int stored = config.negatives().crossBatch();
    this.memory =
        stored > 0
            ? new CrossBatchMemory(stored, modelConfig.item().outDim(), DType.FLOAT32)
            : null;
    this.checkpoint = checkpoint;
    this.metricsLog = metricsLog;
    this.loop = newLoop();
  }

  private EpochLoop newLoop() {
    return new EpochLoop(
        config, splits, model, new MetricsLog(metricsLog), checkpoint != null ? this::save : null);
  }

  /**
   * Makes this run one period of a stream (before it runs): it trains on every interaction of its
   * data, holds none out and scores no test split, and a history tower's bags reach back into each
   * user's {@code earlier} interactions (the periods before, all earlier in time). {@link
   * PeriodReplay} runs periods one after another with warm starts.
   */
  public Trainer asPeriod(Interactions earlier) {
    if (config.evaluation().validation()) {
      throw new IllegalArgumentException("a period of a stream holds out no validation split");
    }
    this.splits =
        new RunSplits(
            data, earlier, modelConfig.query().kind() == TowerKind.HISTORY, config.historyLength());
    this.loop = newLoop();
    loop.scoreTest(false);
    return this;
  }

  /**
   * A new run. {@code probabilities} may be null (then built from the config; "static" needs one).
   */
  public static Trainer create(
      PreparedDataset data,
      ModelConfig modelConfig,
      TrainConfig config,
      SamplingProbabilities probabilities,
      Path checkpoint,
      Path metricsLog) {
    SamplingProbabilities p =
        probabilities != null ? probabilities : config.correction().create(data.numItems());
    requireRunnable(data, config, p);
    return new Trainer(data, modelConfig, config, p, checkpoint, metricsLog);
  }

  private static void requireRunnable(
      PreparedDataset data, TrainConfig config, SamplingProbabilities p) {
    if (config.correction().source() == Correction.STATIC && p == null) {
      throw new IllegalArgumentException("correction 'static' needs item probabilities (a file)");
    }
    if (config.negatives().fullSoftmax()) {
      MemoryBudget.requireFullSoftmax(
          config.batchSize(), data.numItems(), Runtime.getRuntime().maxMemory());
    }
  }

  /**
   * A new run on {@code data} that starts from the run saved in {@code from}, possibly trained on
   * other data (a warm start, as the paper's model moves from one day's data to the next): the
   * model config is the checkpoint's; parameters and optimiser state are carried over by raw id
   * ({@link WarmStart}); the sampling-probability state is carried to the new catalogue (or starts
   * afresh with {@code resetEstimator}; static probabilities come from {@code
   * staticProbabilities}). The training config is the saved one passed through {@code overrides},
   * which may change epochs, batch, learning rate, negatives, evaluation and the like, not the
   * optimiser or the estimator (refused, naming the field). Progress, early stopping and
   * cross-batch memory start afresh.
   */
  public static Trainer warmStart(
      PreparedDataset data,
      Path from,
      UnaryOperator<TrainConfig> overrides,
      boolean resetEstimator,
      SamplingProbabilities staticProbabilities,
      Path checkpoint,
      Path metricsLog)
      throws IOException {
    Path file = CheckpointFiles.latest(from);
    TensorBundle b = TensorBundle.read(file);
    CheckpointCodec.checkFormat(b, file);
    TrainConfig saved = CheckpointCodec.readTrainConfig(b);
    TrainConfig config = overrides.apply(saved);
    try {
      ModelConfig modelConfig = TwoTowerModel.configOf(b);
      WarmStart carry = new WarmStart(b, modelConfig, data.users(), data.items());
      WarmStart.requireSameState(saved, config);
      SamplingProbabilities p =
          config.correction().source() == Correction.STATIC
              ? staticProbabilities
              : carry.probabilities(config, data.numItems(), resetEstimator);
      requireRunnable(data, config, p);
      Trainer t = new Trainer(data, modelConfig, config, p, checkpoint, metricsLog);
      carry.apply(t.model, t.optimizer);
      t.warmStartedFrom = file.toString();
      LOG.info(
          "warm start from {}: {} of {} users and {} of {} items carried over",
          file,
          carry.knownUsers(),
          data.numUsers(),
          carry.knownItems(),
          data.numItems());
      return t;
    } catch (IllegalArgumentException e) {
      throw new FormatException(file + ": " + e.getMessage());
    }
  }

  /** Continues the run saved in {@code checkpoint} on the same dataset (checked by checksum). */
  public static Trainer resume(PreparedDataset data, Path checkpoint, Path metricsLog)
      throws IOException {
    return resume(data, checkpoint, metricsLog, 0);
  }

  /**
   * As {@link #resume(PreparedDataset, Path, Path)}, to {@code epochs} epochs in all (0: as saved):
   * an interrupted run, or a finished one without early stopping, goes on where it stopped, and
   * ends where a run of that many epochs from the start would, bit for bit. Fewer epochs than it
   * has trained, and a run that early stopping ended (its checkpoint holds the best epoch, not the
   * last), are refused.
   */
  public static Trainer resume(PreparedDataset data, Path checkpoint, Path metricsLog, int epochs)
      throws IOException {
    Path file = CheckpointFiles.latest(checkpoint);
    TensorBundle b = TensorBundle.read(file);
    CheckpointCodec.checkHeader(b, file, data);
    TrainConfig config =
        CheckpointCodec.extended(CheckpointCodec.readTrainConfig(b), b, file, epochs);
    CheckpointCodec.warnOnOtherKernels(b);
    // The saved state itself (estimator, counts or static weights), loaded once, here.
    SamplingProbabilities p = CheckpointCodec.readProbabilities(b, data.numItems());
    try {
      ModelConfig modelConfig = TwoTowerModel.configOf(b);
      Models.requirePlausible(modelConfig, data, b.source());
      Trainer t = new Trainer(data, modelConfig, config, p, checkpoint, metricsLog);
      t.restore(b);
      return t;
    } catch (IllegalArgumentException e) {
      throw new FormatException(checkpoint + ": " + e.getMessage());
    }
  }

  /**
   * For model selection: the run ends without scoring the test split ({@link
   * TrainResult#finalMetrics()} is empty), so nothing it reports depends on the test items.
   */
  public Trainer withoutTestScore() {
    loop.scoreTest(false);
    return this;
  }

  /** Records per-phase step times into {@code p} from now on (null to stop). */
  public Trainer profile(StepProfile p) {
    this.profile = p;
    return this;
  }

  public TwoTowerModel model() {
    return model;
  }

  /**
   * Whether {@link #run} runs the two towers side by side, one per kernel thread: two threads or
   * more, no shared parameter, and not turned off with {@link ExecutionConfig#sequentialTowers()}.
   */
  public boolean towersSideBySide() {
    return towersSideBySide(config.execution().threads());
  }

  private boolean towersSideBySide(int threads) {
    return ConcurrentTowers.applicable(model, threads) && !config.execution().sequentialTowers();
  }

  /**
   * Whether {@link #run} gives the item tower and the loss one column per distinct item of a batch
   * ({@link DistinctColumns}): always, unless hard negatives are mined or {@link
   * ExecutionConfig#fullColumns()} asks for every column to be computed, or the full softmax scores
   * the whole catalogue.
   */
  public boolean distinctColumns() {
    return config.negatives().hard() == 0
        && !config.execution().fullColumns()
        && !config.negatives().fullSoftmax()
        && config.negatives().crossBatch() == 0;
  }

  /** The test split: each user's last interaction against all the others. */
  public HeldOutSplit split() {
    return splits.test();
  }

  /** The interactions the model trains on (without the validation items when held out). */
  public Interactions trainingInteractions() {
    return splits.train();
  }

  /**
   * Trains to the end (or to stopAfterSteps) on a pool of the config's threads, made for this run
   * and closed at its end, checkpointing every epoch and, with a validation split, evaluating on it
   * every epoch; the test split is scored once, at the end.
   */
  public TrainResult run(Listener listener) throws IOException {
    try (KernelPool pool = new KernelPool(config.execution().threads())) {
      return run(listener, pool);
    }
  }

  /**
   * As {@link #run(Listener)}, on the caller's {@code pool}: its threads run this run's kernels
   * (and the towers side by side when it has two or more), and nothing else's.
   */
  public TrainResult run(Listener listener, KernelPool pool) throws IOException {
    try (KernelPool.Binding b = pool.bind()) {
      return loop.run(newStep(pool.threads()), listener);
    }
  }

  /** The step of this run, its parts built once. */
  private TrainingStep newStep(int threads) {
    BatchAssembler batches =
        new BatchAssembler(
            splits.train(),
            splits.histories(),
            config.historyLength(),
            probabilities,
            config.batchSize(),
            config.negatives().mixed(),
            data.numItems(),
            config.useRatings(),
            config.seed());
    TrainingStep step =
        new TrainingStep(
            model,
            optimizer,
            batches,
            towersSideBySide(threads) ? new ConcurrentTowers(model) : null,
            new BatchSoftmaxLoss(
                modelConfig.temperature(),
                config.negatives().maskHits(),
                config.negatives().hard()),
            distinctColumns() ? new DistinctColumns() : null,
            config.negatives().fullSoftmax() ? IntStream.range(0, data.numItems()).toArray() : null,
            memory,
            probabilities,
            config.useRatings());
    step.profile(profile);
    return step;
  }

  /**
   * Full-catalogue evaluation of the current model on the test split (each user's last interaction;
   * the user's other interactions, the validation item included, are excluded from the ranking and
   * form the history bags).
   */
  public Map<String, Double> evaluate() {
    return splits.evaluateTest(model, config.evaluation().ks());
  }

  /**
   * Full-catalogue evaluation on the validation split (each user's second-to-last interaction,
   * against the training interactions); what per-epoch metrics and early stopping read.
   */
  public Map<String, Double> evaluateValidation() {
    return splits.evaluateValidation(model, config.evaluation().ks());
  }

  /** Fills query batches for test users (bags of a user's whole history before the test item). */
  public QueryEncoder queryEncoder() {
    return splits.testEncoder();
  }

  /**
   * Writes the checkpoint atomically; a numbered checkpoint path ({@link CheckpointFiles}) gets the
   * file of {@code fileEpoch}.
   */
  private void save(CheckpointCodec.Progress progress, int fileEpoch) throws IOException {
    TensorBundle b = new TensorBundle();
    CheckpointCodec.writeHeader(b, data, config);
    if (warmStartedFrom != null) {
      b.meta(CheckpointCodec.WARM_START_FROM, warmStartedFrom);
    }
    model.save(b);
    Models.saveGraph(modelConfig, data, b);
    CheckpointCodec.writeProgress(b, progress);
    CheckpointCodec.writeOptimizer(b, optimizer);
    if (probabilities != null) {
      probabilities.save(b, "probs/");
    }
    if (memory != null) {
      memory.save(b, "xbm/");
    }
    CheckpointCodec.writeBest(b, loop.earlyStopping().bestParams());
    b.write(CheckpointFiles.forEpoch(checkpoint, fileEpoch));
  }

  private void restore(TensorBundle b) throws IOException {
    warmStartedFrom = b.meta(CheckpointCodec.WARM_START_FROM);
    model.load(b);
    CheckpointCodec.readOptimizer(b, optimizer);
    CheckpointCodec.Progress p = CheckpointCodec.readProgress(b, config.epochs());
    loop.restore(p);
    loop.earlyStopping().bestParams(CheckpointCodec.readBest(b, model.parameters()));
    if (memory != null) {
      memory.load(b, "xbm/", data.numItems());
    }
  }
}
