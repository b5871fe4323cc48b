package org.sbcnm.training.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.sbcnm.datasets.prepared.PreparedDataset;
import org.sbcnm.engine.io.WriterLock;
import org.sbcnm.training.loop.CheckpointFiles;
import org.sbcnm.training.loop.Correction;
import org.sbcnm.training.loop.EpochMetrics;
import org.sbcnm.training.loop.OptimizerConfig;
import org.sbcnm.training.loop.OptimizerKind;
import org.sbcnm.training.loop.TrainConfig;
import org.sbcnm.training.loop.TrainResult;
import org.sbcnm.training.loop.Trainer;
import org.sbcnm.training.sampling.SamplingProbabilities;
import org.sbcnm.training.sampling.StaticProbabilities;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Trains a model and saves a checkpoint. */
@Command(
    name = "train",
    aliases = "train_real",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = "Train a two-tower model with the sampling-bias-corrected batch softmax.")
final class TrainCommand implements Callable<Integer> {
  @Mixin DataOptions dataOptions;

  @Option(
      names = "--epochs",
      defaultValue = "10",
      description = "Passes over the training interactions.")
  int epochs;

  @Option(
      names = "--batch_size",
      defaultValue = "256",
      description = "Examples per step (the in-batch negatives are the others).")
  int batchSize;

  @Option(
      names = "--save_path",
      defaultValue = "model.sbcnm",
      description =
          "Checkpoint file (written atomically each epoch); a {} in the name writes one file per epoch, numbered from 1.")
  Path savePath;

  @Option(
      names = "--cpu",
      description = "Accepted for the original commands: sbcnm always runs on the CPU.")
  boolean cpu;

  @Mixin TowerOptions towers;

  @Option(
      names = "--optimizer",
      defaultValue = "adam",
      description =
          "adam, adamw, adagrad or sgd (every embedding row moves each step, as torch.optim), or lazyadam (only the batch's rows move: faster on large tables).")
  String optimizer;

  @Option(
      names = "--lr",
      defaultValue = "0",
      description = "Learning rate (0 = optimiser default).")
  double lr;

  @Option(
      names = "--weight_decay",
      description =
          "Weight decay λ on every parameter, embedding tables included: decoupled for adamw, L2 for the others (default: 0.01 for adamw, 0 for the others).")
  Double weightDecay;

  @Option(names = "--no_bias_correction", description = "Train without the logQ correction.")
  boolean noCorrection;

  @Option(
      names = "--correction",
      defaultValue = "streaming",
      description = "streaming, counts, static or none.")
  String correction;

  @Option(
      names = "--probabilities",
      paramLabel = "CSV",
      description = "item_id,probability for --correction static.")
  Path probabilitiesFile;

  @Option(
      names = "--alpha",
      defaultValue = "0.01",
      description = "Learning rate α of the streaming frequency estimator, in (0, 1).")
  double alpha;

  @Option(
      names = "--hash_buckets",
      defaultValue = "1048576",
      description = "Buckets H per hash function of the estimator (a power of two).")
  int hashBuckets;

  @Option(
      names = "--hashes",
      defaultValue = "1",
      description = "Hash functions m of the estimator (the largest gap wins).")
  int hashes;

  @Mixin NegativeOptions negatives;

  @Option(names = "--use_ratings", description = "Weight each example by its rating.")
  boolean useRatings;

  @Option(
      names = "--history_length",
      defaultValue = "50",
      description = "Most recent items in a history tower's bag.")
  int historyLength;

  @Option(
      names = "--early_stop_metric",
      defaultValue = "recall@50",
      description = "Validation metric early stopping watches.")
  String earlyStopMetric;

  @Option(
      names = "--patience",
      defaultValue = "0",
      description =
          "Stop after this many epochs without a validation gain and keep the best epoch (0 = off); implies --validation.")
  int patience;

  @Option(
      names = "--validation",
      description =
          "Hold each user's second-to-last interaction out of training as a validation split: per-epoch metrics and early stopping read it; the test split is scored once, at the end.")
  boolean validation;

  @Option(
      names = "--k",
      defaultValue = "10,50,100",
      split = ",",
      description = "Cut-offs K of Recall@K and NDCG@K, comma-separated.")
  int[] ks;

  @Option(names = "--threads", defaultValue = "0", description = "Kernel threads (0 = all cores).")
  int threads;

  @Option(
      names = "--sequential_towers",
      description =
          "Run the two towers one after the other, not side by side on two threads (saved with the run).")
  boolean sequentialTowers;

  @Option(
      names = "--full_columns",
      description =
          "Compute every in-batch column, not one per distinct item (saved with the run).")
  boolean fullColumns;

  @Option(
      names = "--seed",
      defaultValue = "0",
      description = "Seed of every random choice (same seed, same bits).")
  long seed;

  @Option(
      names = "--checkpoint_every",
      defaultValue = "0",
      description = "Also checkpoint every N steps.")
  int checkpointEvery;

  @Option(names = "--resume", description = "Continue the run saved in --save_path.")
  boolean resume;

  @Option(
      names = "--init_from",
      paramLabel = "CKPT",
      description =
          "Warm start: a new run on --data from this checkpoint, possibly of other data. Rows are matched by raw id (new ids get seeded rows); optimiser and estimator state carry over; the saved settings hold unless a flag here changes one (tower flags are refused).")
  Path initFrom;

  @Option(
      names = "--reset_estimator",
      description =
          "With --init_from: start the sampling-probability estimate afresh instead of carrying it over.")
  boolean resetEstimator;

  @Option(
      names = "--metrics_json",
      paramLabel = "FILE",
      description = "Final metrics as one JSON object.")
  Path metricsJson;

  @Option(
      names = "--metrics_jsonl",
      paramLabel = "FILE",
      description = "Per-epoch metrics, one JSON line each.")
  Path metricsJsonl;

  @Option(names = "--quiet", description = "No progress display.")
  boolean quiet;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws IOException {
    List<Path> inputs = new ArrayList<>(dataOptions.inputFiles());
    if (probabilitiesFile != null) {
      inputs.add(probabilitiesFile);
    }
    for (int e = 1; e <= (CheckpointFiles.numbered(savePath) ? epochs : 1); e++) {
      Outputs.refuseInputs("--save_path", CheckpointFiles.forEpoch(savePath, e), inputs);
    }
    if (initFrom != null) {
      inputs.add(initFrom);
    }
    Outputs.refuseInputs("--metrics_json", metricsJson, inputs);
    Outputs.refuseInputs("--metrics_jsonl", metricsJsonl, inputs);
    // One writer per checkpoint for the run's whole life: a second run on the same --save_path
    // would otherwise overwrite this one's files and both would report success.
    if (resume && initFrom != null) {
      throw new CliException("--resume continues a run, --init_from starts one: give one of them");
    }
    if (resetEstimator && initFrom == null) {
      throw new CliException("--reset_estimator goes with --init_from");
    }
    PreparedDataset data = dataOptions.load();
    // A new run's flags are checked against the data before anything is written, lock included.
    Trainer fresh = resume ? null : initFrom != null ? warmStarted(data) : created(data);
    try (WriterLock lock = WriterLock.acquire(savePath)) {
      Trainer trainer = resume ? resumed(data) : fresh;
      Progress progress = new Progress("train", quiet);
      TrainResult r =
          trainer.run(
              new Trainer.Listener() {
                @Override
                public void step(long done, long total, double loss) {
                  progress.update(done, total, String.format("loss %.4f", loss));
                }
              });
      progress.done();
      report(r);
    }
    return 0;
  }

  private Trainer resumed(PreparedDataset data) throws IOException {
    if (!CheckpointFiles.numbered(savePath) && !Files.exists(savePath)) {
      throw new CliException("--resume: no checkpoint at " + savePath);
    }
    picocli.CommandLine.ParseResult given = spec.commandLine().getParseResult();
    ResumeFlags.warnIgnored(spec);
    try {
      return Trainer.resume(
          data, savePath, metricsJsonl, given.hasMatchedOption("--epochs") ? epochs : 0);
    } catch (IllegalArgumentException e) {
      throw new CliException("--resume: " + e.getMessage());
    }
  }

  private Trainer warmStarted(PreparedDataset data) throws IOException {
    if (!CheckpointFiles.numbered(initFrom) && !Files.exists(initFrom)) {
      throw new CliException("--init_from: no checkpoint at " + initFrom);
    }
    WarmStartFlags.refuseTowerFlags(spec);
    try {
      return Trainer.warmStart(
          data,
          initFrom,
          WarmStartFlags.overrides(spec, trainConfig()),
          resetEstimator,
          staticProbabilities(data),
          savePath,
          metricsJsonl);
    } catch (IllegalArgumentException e) {
      throw new CliException("--init_from: " + e.getMessage());
    }
  }

  private Trainer created(PreparedDataset data) throws IOException {
    return Trainer.create(
        data,
        towers.modelConfig(data, seed, spec, dataOptions.data == null),
        trainConfig(),
        staticProbabilities(data),
        savePath,
        metricsJsonl);
  }

  /** Prints each epoch and the final metrics; writes {@code --metrics_json}. */
  private void report(TrainResult r) throws IOException {
    PrintWriter out = spec.commandLine().getOut();
    for (EpochMetrics e : r.epochs()) {
      out.printf(
          "epoch %d  loss %.4f%s  %.0f examples/s%n",
          e.epoch(),
          e.loss(),
          e.metrics().containsKey("recall@50")
              ? String.format("  validation recall@50 %.4f", e.metrics().get("recall@50"))
              : "",
          e.examplesPerSecond());
    }
    Tables.metrics(out, Map.of("model", r.finalMetrics()));
    out.println("saved " + savePath);
    if (metricsJson != null) {
      Map<String, Object> m = new LinkedHashMap<>(r.finalMetrics());
      m.put("train_examples_per_second", r.trainExamplesPerSecond());
      m.put("epochs", r.epochs().size());
      m.put("train_seconds", r.trainSeconds());
      m.put("checkpoint", savePath.toString());
      Json.write(metricsJson, m);
    }
  }

  TrainConfig trainConfig() {
    int t = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
    return TrainConfig.builder()
        .epochs(epochs)
        .batchSize(batchSize)
        .optimizer(OptimizerKind.parse(optimizer))
        .lr(lr)
        .weightDecay(weightDecay != null ? weightDecay : OptimizerConfig.DEFAULT_DECAY)
        .seed(seed)
        .correction(noCorrection ? Correction.NONE : Correction.parse(correction))
        .hashBuckets(hashBuckets)
        .hashes(hashes)
        .alpha(alpha)
        .maskHits(!negatives.noMask)
        .hardNegatives(negatives.hardNegatives)
        .mixedNegatives(negatives.mixedNegatives)
        .fullSoftmax(negatives.fullSoftmax)
        .crossBatch(negatives.xbmSize)
        .useRatings(useRatings)
        .historyLength(historyLength)
        .earlyStopMetric(earlyStopMetric)
        .patience(patience)
        .validation(validation || patience > 0)
        .ks(ks)
        .threads(t)
        .sequentialTowers(sequentialTowers)
        .fullColumns(fullColumns)
        .checkpointEvery(checkpointEvery)
        .build();
  }

  private SamplingProbabilities staticProbabilities(PreparedDataset data) throws IOException {
    boolean isStatic = !noCorrection && "static".equalsIgnoreCase(correction);
    if (!isStatic) {
      if (probabilitiesFile != null) {
        throw new CliException("--probabilities goes with --correction static");
      }
      return null;
    }
    if (probabilitiesFile == null) {
      throw new CliException("--correction static needs --probabilities CSV (item_id,probability)");
    }
    return StaticProbabilities.read(probabilitiesFile, data.items());
  }
}
