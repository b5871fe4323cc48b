package org.sbcnm.training.loop;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.sbcnm.datasets.prepared.Interactions;
import org.sbcnm.datasets.prepared.PreparedDataset;
import org.sbcnm.datasets.split.HeldOutSplit;
import org.sbcnm.datasets.split.UserHistories;
import org.sbcnm.engine.io.FormatException;
import org.sbcnm.engine.io.TensorBundle;
import org.sbcnm.engine.kernel.Kernels;
import org.sbcnm.engine.optim.Optimizer;
import org.sbcnm.towers.config.ModelConfig;
import org.sbcnm.towers.config.TowerKind;
import org.sbcnm.towers.tower.TwoTowerModel;
import org.sbcnm.training.eval.QueryEncoder;
import org.sbcnm.training.eval.RetrievalMetrics;
import org.sbcnm.training.loss.BatchSoftmaxLoss;
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
 * and backward ({@link ConcurrentTowers}); {@link TrainConfig#sequentialTowers()} runs them one
 * after the other, each split across the threads. Both give the same model.
 *
 * <p><b>Distinct columns</b>: the item tower runs on the batch's distinct (item, log q) pairs only
 * and the loss counts each as often as it fills a column ({@link DistinctColumns}, {@link
 * BatchSoftmaxLoss#applyDistinct}): the loss of every column, computed on about 56% of them on
 * Zipf-shaped data. Not with hard negatives; {@link TrainConfig#fullColumns()} computes every
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
  private final HeldOutSplit split;
  private final HeldOutSplit validation;
  private final Interactions trainSet;
  private final UserHistories histories;
  private final ModelConfig modelConfig;
  private final TrainConfig config;
  private final TwoTowerModel model;
  private final Optimizer optimizer;
  private final SamplingProbabilities probabilities;
  private final Path checkpoint;
  private final MetricsLog metricsLog;
  private int epoch;
  private int stepInEpoch;
  private long globalStep;
  private double lossSum;
  private int lossSteps;
  private final EarlyStopping earlyStopping;
  private StepProfile profile;

  private Trainer(
      PreparedDataset data,
      ModelConfig modelConfig,
      TrainConfig config,
      SamplingProbabilities probabilities,
      Path checkpoint,
      Path metricsLog) {
    this.data = data;
    this.split = HeldOutSplit.of(data.interactions(), data.numUsers());
    this.validation =
        config.evaluation().validation() ? HeldOutSplit.of(split.train(), data.numUsers()) : null;
    this.trainSet = validation != null ? validation.train() : split.train();
    if (trainSet.size() == 0) {
      throw new IllegalArgumentException("the dataset has no training interactions");
    }
    if (validation != null && validation.testSize() == 0) {
      throw new IllegalArgumentException(
          "the validation split is empty: no user has three interactions or more");
    }
    this.histories =
        modelConfig.query().kind() == TowerKind.HISTORY
            ? UserHistories.of(trainSet, data.numUsers())
            : null;
    this.modelConfig = modelConfig;
    this.config = config;
    this.earlyStopping =
        new EarlyStopping(config.evaluation().earlyStopMetric(), config.evaluation().patience());
    this.model = Models.build(modelConfig, data);
    this.optimizer = config.optimizer().create();
    optimizer.init(model.parameters());
    this.probabilities = probabilities;
    this.checkpoint = checkpoint;
    this.metricsLog = new MetricsLog(metricsLog);
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
    if (config.correction().source() == Correction.STATIC && p == null) {
      throw new IllegalArgumentException("correction 'static' needs item probabilities (a file)");
    }
    return new Trainer(data, modelConfig, config, p, checkpoint, metricsLog);
  }

  /** Continues the run saved in {@code checkpoint} on the same dataset (checked by checksum). */
  public static Trainer resume(PreparedDataset data, Path checkpoint, Path metricsLog)
      throws IOException {
    Path file = CheckpointFiles.latest(checkpoint);
    TensorBundle b = TensorBundle.read(file);
    CheckpointCodec.checkHeader(b, file, data);
    TrainConfig config = CheckpointCodec.readTrainConfig(b);
    String kernels = CheckpointCodec.kernels();
    if (b.meta("kernels") != null && !b.meta("kernels").equals(kernels)) {
      // Another kernel implementation or vector width sums in another order: the run goes on,
      // but no longer bit for bit as the uninterrupted run would have.
      LOG.warn(
          "{}: trained with kernels {}, resuming with {}: the result will differ in the last bits"
              + " from an uninterrupted run (bit-for-bit resume needs the same kernels)",
          checkpoint,
          b.meta("kernels"),
          kernels);
    }
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
   * more, no shared parameter, and not turned off with {@link TrainConfig#sequentialTowers()}.
   */
  public boolean towersSideBySide() {
    return ConcurrentTowers.applicable(model, config.execution().threads())
        && !config.execution().sequentialTowers();
  }

  /**
   * Whether {@link #run} gives the item tower and the loss one column per distinct item of a batch
   * ({@link DistinctColumns}): always, unless hard negatives are mined or {@link
   * TrainConfig#fullColumns()} asks for every column to be computed.
   */
  public boolean distinctColumns() {
    return config.negatives().hard() == 0 && !config.execution().fullColumns();
  }

  /** The test split: each user's last interaction against all the others. */
  public HeldOutSplit split() {
    return split;
  }

  /** The interactions the model trains on (without the validation items when held out). */
  public Interactions trainingInteractions() {
    return trainSet;
  }

  /**
   * Trains to the end (or to stopAfterSteps), checkpointing every epoch and, with a validation
   * split, evaluating on it every epoch; the test split is scored once, at the end.
   */
  public TrainResult run(Listener listener) throws IOException {
    Kernels.setThreads(config.execution().threads());
    TrainingStep step = newStep();
    int[] perm = new int[trainSet.size()];
    RunTotals run = new RunTotals();
    while (epoch < config.epochs()) {
      shuffle(perm, config.seed(), epoch);
      long epochStart = System.nanoTime();
      long examples = trainEpoch(step, perm, run, listener);
      double seconds = (System.nanoTime() - epochStart) / 1e9;
      run.seconds += seconds;
      run.examples += examples;
      if (run.stopped || endEpoch(examples, seconds, run, listener)) {
        break;
      }
    }
    Map<String, Double> finalMetrics = run.stopped ? null : finish();
    return new TrainResult(
        model,
        run.epochs,
        finalMetrics,
        run.examples / Math.max(1e-9, run.seconds),
        run.seconds,
        !run.stopped);
  }

  /** What this call of {@link #run} has done so far. */
  private static final class RunTotals {
    final List<EpochMetrics> epochs = new ArrayList<>();
    long steps;
    long examples;
    double seconds;
    boolean stopped;
  }

  private int stepsPerEpoch() {
    return (trainSet.size() + config.batchSize() - 1) / config.batchSize();
  }

  /** The step of this run, its parts built once. */
  private TrainingStep newStep() {
    BatchAssembler batches =
        new BatchAssembler(
            trainSet,
            histories,
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
            towersSideBySide() ? new ConcurrentTowers(model) : null,
            new BatchSoftmaxLoss(
                modelConfig.temperature(),
                config.negatives().maskHits(),
                config.negatives().hard()),
            distinctColumns() ? new DistinctColumns() : null,
            config.useRatings(),
            config.negatives().mixed());
    step.profile(profile);
    return step;
  }

  /**
   * The rest of the current epoch's steps (all of them, or up to stopAfterSteps, which sets {@code
   * run.stopped}), checkpointing when due; returns the examples trained on.
   */
  private long trainEpoch(TrainingStep step, int[] perm, RunTotals run, Listener listener)
      throws IOException {
    long totalSteps = (long) stepsPerEpoch() * config.epochs();
    long examples = 0;
    for (; stepInEpoch < stepsPerEpoch(); stepInEpoch++) {
      double loss = step.run(perm, stepInEpoch * config.batchSize(), globalStep);
      if (!Double.isFinite(loss)) {
        throw new IllegalStateException(
            "training diverged: loss "
                + loss
                + " at step "
                + (globalStep + 1)
                + " (the usual cause: learning rate "
                + config.optimizer().effectiveLr()
                + " too large for temperature "
                + model.config().temperature()
                + "; try --lr "
                + config.optimizer().effectiveLr() / 10
                + " or a larger --temperature)");
      }
      lossSum += loss;
      lossSteps++;
      globalStep++;
      run.steps++;
      examples += step.examples();
      if (listener != null) {
        listener.step(globalStep, totalSteps, loss);
      }
      boolean kill =
          config.execution().stopAfterSteps() > 0
              && run.steps >= config.execution().stopAfterSteps();
      if (checkpoint != null
          && (kill
              || (config.execution().checkpointEvery() > 0
                  && globalStep % config.execution().checkpointEvery() == 0))) {
        // The checkpoint counts this step as done: a resume starts at the next one.
        save(progress(stepInEpoch + 1, false), epoch + 1);
      }
      if (kill) {
        stepInEpoch++;
        run.stopped = true;
        break;
      }
    }
    return examples;
  }

  /**
   * Closes a finished epoch: validation metrics, the metrics sink and listener, early stopping and
   * the epoch's checkpoint; returns whether early stopping ends the run.
   */
  private boolean endEpoch(long examples, double seconds, RunTotals run, Listener listener)
      throws IOException {
    Map<String, Double> metrics = validation != null ? evaluateValidation() : Map.of();
    EpochMetrics em =
        new EpochMetrics(
            epoch + 1,
            lossSum / Math.max(1, lossSteps),
            metrics,
            examples / Math.max(1e-9, seconds),
            seconds);
    run.epochs.add(em);
    metricsLog.epoch(em);
    if (listener != null) {
      listener.epoch(em);
    }
    epoch++;
    stepInEpoch = 0;
    lossSum = 0;
    lossSteps = 0;
    boolean stop =
        config.evaluation().patience() > 0
            && earlyStopping.track(
                config.evaluation().earlyStopMetric(), metrics, em.loss(), model.parameters());
    if (checkpoint != null) {
      save(progress(stepInEpoch, false), epoch);
    }
    if (stop) {
      LOG.info(
          "early stop after epoch {}: no {} gain in {} epochs",
          epoch,
          config.evaluation().earlyStopMetric(),
          config.evaluation().patience());
    }
    return stop;
  }

  /**
   * Ends a run that was not interrupted: the best epoch's parameters under early stopping, the test
   * metrics, the final checkpoint.
   */
  private Map<String, Double> finish() throws IOException {
    // Only early stopping (patience > 0) selects an epoch; otherwise the last epoch's model is the
    // result, as in the reference trainer (choosing by held-out metrics would peek at them).
    if (config.evaluation().patience() > 0) {
      earlyStopping.restoreBest(model.parameters());
    }
    Map<String, Double> finalMetrics = evaluate();
    int lastEpoch = Math.max(1, epoch);
    epoch = config.epochs();
    if (checkpoint != null) {
      save(progress(stepInEpoch, true), lastEpoch);
    }
    return finalMetrics;
  }

  /**
   * Full-catalogue evaluation of the current model on the test split (each user's last interaction;
   * the user's other interactions, the validation item included, are excluded from the ranking and
   * form the history bags).
   */
  public Map<String, Double> evaluate() {
    int[] ranks =
        RetrievalMetrics.ranks(model, split, model.itemEmbeddings(), queryEncoder(), null);
    return RetrievalMetrics.fromRanks(ranks, config.evaluation().ks());
  }

  /**
   * Full-catalogue evaluation on the validation split (each user's second-to-last interaction,
   * against the training interactions); what per-epoch metrics and early stopping read.
   */
  public Map<String, Double> evaluateValidation() {
    if (validation == null) {
      throw new IllegalStateException("this run holds out no validation split");
    }
    int[] ranks =
        RetrievalMetrics.ranks(
            model,
            validation,
            model.itemEmbeddings(),
            QueryEncoder.of(histories, config.historyLength()),
            null);
    return RetrievalMetrics.fromRanks(ranks, config.evaluation().ks());
  }

  /** Fills query batches for test users (bags of a user's whole history before the test item). */
  public QueryEncoder queryEncoder() {
    if (histories == null || validation == null) {
      return QueryEncoder.of(histories, config.historyLength());
    }
    return QueryEncoder.of(
        UserHistories.of(split.train(), data.numUsers()), config.historyLength());
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

  /** Where the run stands, with {@code stepsDone} steps of the current epoch behind it. */
  private CheckpointCodec.Progress progress(int stepsDone, boolean complete) {
    return new CheckpointCodec.Progress(
        epoch,
        stepsDone,
        globalStep,
        lossSum,
        lossSteps,
        earlyStopping.best(),
        earlyStopping.badEpochs(),
        complete);
  }

  /**
   * Writes the checkpoint atomically; a numbered checkpoint path ({@link CheckpointFiles}) gets the
   * file of {@code fileEpoch}.
   */
  private void save(CheckpointCodec.Progress progress, int fileEpoch) throws IOException {
    TensorBundle b = new TensorBundle();
    CheckpointCodec.writeHeader(b, data, config);
    model.save(b);
    Models.saveGraph(modelConfig, data, b);
    CheckpointCodec.writeProgress(b, progress);
    CheckpointCodec.writeOptimizer(b, optimizer);
    if (probabilities != null) {
      probabilities.save(b, "probs/");
    }
    CheckpointCodec.writeBest(b, earlyStopping.bestParams());
    b.write(CheckpointFiles.forEpoch(checkpoint, fileEpoch));
  }

  private void restore(TensorBundle b) throws IOException {
    model.load(b);
    CheckpointCodec.readOptimizer(b, optimizer);
    CheckpointCodec.Progress p = CheckpointCodec.readProgress(b, config.epochs());
    epoch = p.complete() ? config.epochs() : p.epoch();
    stepInEpoch = p.stepInEpoch();
    globalStep = p.globalStep();
    lossSum = p.lossSum();
    lossSteps = p.lossSteps();
    earlyStopping.restore(p.best(), p.badEpochs());
    earlyStopping.bestParams(CheckpointCodec.readBest(b, model.parameters()));
  }
}
