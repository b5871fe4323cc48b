package org.sbcnm.training.loop;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.sbcnm.datasets.batch.BatchAssembler;
import org.sbcnm.towers.tower.TwoTowerModel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The epochs of a run and where it stands. Each epoch runs its steps in a shuffle seeded by (seed,
 * epoch), checkpointing every {@code checkpointEvery} steps; it ends with the validation metrics,
 * the metrics sink and listener, early stopping and the epoch's checkpoint. A run that was not
 * interrupted ends with the best epoch's parameters (under early stopping), the test metrics and a
 * final checkpoint marked complete. Its position (epoch, step, loss sums) goes into every
 * checkpoint, so a resumed run ends where an uninterrupted one would.
 */
final class EpochLoop {
  private static final Logger LOG = LoggerFactory.getLogger(EpochLoop.class);

  /** Writes a checkpoint of the run at {@code progress}, to the file of {@code fileEpoch}. */
  @FunctionalInterface
  interface Checkpointer {
    void save(CheckpointCodec.Progress progress, int fileEpoch) throws IOException;
  }

  private final TrainConfig config;
  private final RunSplits splits;
  private final TwoTowerModel model;
  private final EarlyStopping earlyStopping;
  private final MetricsLog metricsLog;
  private final Checkpointer checkpointer;
  private boolean scoreTest = true;
  private int epoch;
  private int stepInEpoch;
  private long globalStep;
  private double lossSum;
  private int lossSteps;

  /**
   * @param checkpointer where checkpoints go, or null to write none
   */
  EpochLoop(
      TrainConfig config,
      RunSplits splits,
      TwoTowerModel model,
      MetricsLog metricsLog,
      Checkpointer checkpointer) {
    this.config = config;
    this.splits = splits;
    this.model = model;
    this.earlyStopping =
        new EarlyStopping(config.evaluation().earlyStopMetric(), config.evaluation().patience());
    this.metricsLog = metricsLog;
    this.checkpointer = checkpointer;
  }

  /** Whether a finished run scores the test split (off for model selection). */
  void scoreTest(boolean on) {
    this.scoreTest = on;
  }

  /** The early-stopping state, whose best parameters checkpoints keep. */
  EarlyStopping earlyStopping() {
    return earlyStopping;
  }

  /** Where the run stands, with {@code stepsDone} steps of the current epoch behind it. */
  CheckpointCodec.Progress progress(int stepsDone, boolean complete) {
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

  /** Continues from a checkpoint's progress. */
  void restore(CheckpointCodec.Progress p) {
    // A finished run saved its epoch count; resumed to more epochs, it goes on from there.
    epoch = p.complete() ? Math.min(p.epoch(), config.epochs()) : p.epoch();
    stepInEpoch = p.stepInEpoch();
    globalStep = p.globalStep();
    lossSum = p.lossSum();
    lossSteps = p.lossSteps();
    earlyStopping.restore(p.best(), p.badEpochs());
  }

  /**
   * Trains to the end (or to stopAfterSteps), checkpointing every epoch and, with a validation
   * split, evaluating on it every epoch; the test split is scored once, at the end.
   */
  TrainResult run(TrainingStep step, Trainer.Listener listener) throws IOException {
    int[] perm = new int[splits.train().size()];
    RunTotals run = new RunTotals();
    while (epoch < config.epochs()) {
      BatchAssembler.shuffle(perm, config.seed(), epoch);
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
    return (splits.train().size() + config.batchSize() - 1) / config.batchSize();
  }

  /**
   * The rest of the current epoch's steps (all of them, or up to stopAfterSteps, which sets {@code
   * run.stopped}), checkpointing when due; returns the examples trained on.
   */
  private long trainEpoch(TrainingStep step, int[] perm, RunTotals run, Trainer.Listener listener)
      throws IOException {
    ExecutionConfig exec = config.execution();
    long totalSteps = (long) stepsPerEpoch() * config.epochs();
    long examples = 0;
    for (; stepInEpoch < stepsPerEpoch(); stepInEpoch++) {
      double loss = step.run(perm, stepInEpoch * config.batchSize(), globalStep);
      requireFinite(loss);
      lossSum += loss;
      lossSteps++;
      globalStep++;
      run.steps++;
      examples += step.examples();
      if (listener != null) {
        listener.step(globalStep, totalSteps, loss);
      }
      boolean kill = exec.stopAfterSteps() > 0 && run.steps >= exec.stopAfterSteps();
      boolean due = exec.checkpointEvery() > 0 && globalStep % exec.checkpointEvery() == 0;
      if (checkpointer != null && (kill || due)) {
        // The checkpoint counts this step as done: a resume starts at the next one.
        checkpointer.save(progress(stepInEpoch + 1, false), epoch + 1);
      }
      if (kill) {
        stepInEpoch++;
        run.stopped = true;
        break;
      }
    }
    return examples;
  }

  /** Ends a diverged run with the usual cause and what to try. */
  private void requireFinite(double loss) {
    if (!Double.isFinite(loss)) {
      double lr = config.optimizer().effectiveLr();
      throw new IllegalStateException(
          String.format(
              "training diverged: loss %s at step %d (the usual cause: learning rate %s too large"
                  + " for temperature %s; try --lr %s or a larger --temperature)",
              loss, globalStep + 1, lr, model.config().temperature(), lr / 10));
    }
  }

  /**
   * Closes a finished epoch: validation metrics, the metrics sink and listener, early stopping and
   * the epoch's checkpoint; returns whether early stopping ends the run.
   */
  private boolean endEpoch(long examples, double seconds, RunTotals run, Trainer.Listener listener)
      throws IOException {
    EvaluationConfig eval = config.evaluation();
    Map<String, Double> metrics =
        splits.hasValidation() ? splits.evaluateValidation(model, eval.ks()) : Map.of();
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
        eval.patience() > 0
            && earlyStopping.track(eval.earlyStopMetric(), metrics, em.loss(), model.parameters());
    if (checkpointer != null) {
      checkpointer.save(progress(stepInEpoch, false), epoch);
    }
    if (stop) {
      LOG.info(
          "early stop after epoch {}: no {} gain in {} epochs",
          epoch,
          eval.earlyStopMetric(),
          eval.patience());
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
    Map<String, Double> finalMetrics =
        scoreTest ? splits.evaluateTest(model, config.evaluation().ks()) : Map.of();
    int lastEpoch = Math.max(1, epoch);
    epoch = config.epochs();
    if (checkpointer != null) {
      checkpointer.save(progress(stepInEpoch, true), lastEpoch);
    }
    return finalMetrics;
  }
}
