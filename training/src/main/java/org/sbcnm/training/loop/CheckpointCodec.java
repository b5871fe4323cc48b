package org.sbcnm.training.loop;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.sbcnm.datasets.prepared.IdMap;
import org.sbcnm.datasets.prepared.PreparedDataset;
import org.sbcnm.engine.io.FormatException;
import org.sbcnm.engine.io.TensorBundle;
import org.sbcnm.engine.io.UnsupportedVersionException;
import org.sbcnm.engine.kernel.Kernels;
import org.sbcnm.engine.optim.Optimizer;
import org.sbcnm.engine.param.Parameter;
import org.sbcnm.engine.tensor.Tensor;
import org.sbcnm.training.sampling.ExactCounts;
import org.sbcnm.training.sampling.SamplingProbabilities;
import org.sbcnm.training.sampling.StaticProbabilities;
import org.sbcnm.training.sampling.StreamingFrequencyEstimator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The training checkpoint's schema, owned in one place. A checkpoint is a {@link TensorBundle}:
 *
 * <pre>
 *   header      format = sbcnm-checkpoint, checkpoint.version, created_by, jdk, kernels,
 *               data.checksum, seed
 *   train.*     the {@link TrainConfig} ({@link TrainConfig#toMap})
 *   model.*     the model config; param/NAME the parameters ({@code TwoTowerModel.save});
 *               graph/* a GCN model's item graph ({@link Models#saveGraph})
 *   progress.*  epoch, step_in_epoch, global_step, loss_sum, loss_steps, best, bad_epochs, complete
 *   optimizer.* name, steps; optim/NAME its state tensors
 *   probs/*     the sampling-probability state (estimator, counts or static), if any
 *   best/NAME   the best parameters so far, when early stopping keeps them
 *   xbm/*       the cross-batch memory (embeddings, items, size, head), when one is kept
 *   ids.*       the raw ids of the data's users and items by index, one a line ({@link #writeIds}):
 *               what a warm start on other data matches rows by
 *   warm_start.from  the checkpoint a warm-started run began from, when it did
 * </pre>
 *
 * Version 1 adds {@code checkpoint.version}; a file without it (version 0, written before) reads
 * the same way. A missing or malformed key is a {@link FormatException} naming the file and key.
 */
public final class CheckpointCodec {
  static final String FORMAT = "sbcnm-checkpoint";
  static final int VERSION = 1;
  static final String WARM_START_FROM = "warm_start.from";

  private static final Logger LOG = LoggerFactory.getLogger(CheckpointCodec.class);

  private CheckpointCodec() {}

  /** Where a run stands: enough to continue it as if it had never stopped. */
  record Progress(
      int epoch,
      int stepInEpoch,
      long globalStep,
      double lossSum,
      int lossSteps,
      double best,
      int badEpochs,
      boolean complete) {}

  /** The kernel implementation and vector width, as checkpoints record them ("simd/16"). */
  static String kernels() {
    return Kernels.implementation() + "/" + Kernels.lanes();
  }

  /**
   * Warns when {@code b} was written under other kernels than this JVM's: another implementation or
   * vector width sums in another order, so a resumed run goes on, but no longer bit for bit as the
   * uninterrupted run would have.
   */
  static void warnOnOtherKernels(TensorBundle b) {
    String saved = b.meta("kernels");
    if (saved != null && !saved.equals(kernels())) {
      LOG.warn(
          "{}: trained with kernels {}, resuming with {}: the result will differ in the last bits"
              + " from an uninterrupted run (bit-for-bit resume needs the same kernels)",
          b.source(),
          saved,
          kernels());
    }
  }

  static void writeHeader(TensorBundle b, PreparedDataset data, TrainConfig config) {
    b.meta("format", FORMAT);
    b.meta("checkpoint.version", Integer.toString(VERSION));
    b.meta("created_by", "sbcnm " + CheckpointCodec.class.getPackage().getImplementationVersion());
    b.meta("jdk", Runtime.version().toString());
    b.meta("kernels", kernels());
    b.meta("data.checksum", data.checksum());
    b.meta("seed", Long.toString(config.seed()));
    for (Map.Entry<String, String> e : config.toMap().entrySet()) {
      b.meta("train." + e.getKey(), e.getValue());
    }
    writeIds(b, "ids.query", data.users());
    writeIds(b, "ids.item", data.items());
  }

  /**
   * Writes the raw ids of {@code ids} by index as one string, one id a line; a backslash or a line
   * break inside an id is escaped ({@code \\}, {@code \n}) so that any id comes back unchanged.
   */
  static void writeIds(TensorBundle b, String key, IdMap ids) {
    StringBuilder s = new StringBuilder(ids.size() * 8);
    for (int i = 0; i < ids.size(); i++) {
      if (i > 0) {
        s.append('\n');
      }
      String id = ids.rawId(i);
      for (int c = 0; c < id.length(); c++) {
        char ch = id.charAt(c);
        if (ch == '\\') {
          s.append("\\\\");
        } else if (ch == '\n') {
          s.append("\\n");
        } else {
          s.append(ch);
        }
      }
    }
    b.meta(key, s.toString());
  }

  /**
   * The ids written by {@link #writeIds} under {@code key}; a checkpoint written before checkpoints
   * carried them is refused with the reason.
   */
  static IdMap readIds(TensorBundle b, String key) throws FormatException {
    String s = b.meta(key);
    if (s == null) {
      throw new FormatException(
          b.source()
              + ": holds no '"
              + key
              + "' (written before checkpoints carried their id maps), so its rows cannot be"
              + " matched to other data by raw id; resume it or train anew");
    }
    List<String> ids = new java.util.ArrayList<>();
    StringBuilder id = new StringBuilder();
    for (int c = 0; c < s.length(); c++) {
      char ch = s.charAt(c);
      if (ch == '\n') {
        ids.add(id.toString());
        id.setLength(0);
      } else if (ch == '\\' && c + 1 < s.length()) {
        id.append(s.charAt(++c) == 'n' ? '\n' : '\\');
      } else {
        id.append(ch);
      }
    }
    if (!s.isEmpty()) {
      ids.add(id.toString());
    }
    try {
      return new IdMap(ids.toArray(new String[0]));
    } catch (IllegalArgumentException e) {
      throw new FormatException(b.source() + ": '" + key + "': " + e.getMessage());
    }
  }

  /**
   * Checks that {@code b}, read from {@code file}, is a training checkpoint of a version this build
   * reads.
   */
  public static void checkFormat(TensorBundle b, Path file) throws FormatException {
    if (!FORMAT.equals(b.meta("format"))) {
      throw new FormatException(file + ": not an sbcnm training checkpoint");
    }
    int version =
        b.meta("checkpoint.version") == null
            ? 0
            : b.intMeta("checkpoint.version", 0, Integer.MAX_VALUE);
    if (version > VERSION) {
      throw new UnsupportedVersionException(
          file
              + ": checkpoint version "
              + version
              + " is not supported (this build reads up to "
              + VERSION
              + ")",
          version);
    }
  }

  /**
   * Checks the header of a checkpoint {@code file} to resume on {@code data}: the format, a version
   * this build reads, and the data's checksum.
   */
  static void checkHeader(TensorBundle b, Path file, PreparedDataset data) throws IOException {
    checkFormat(b, file);
    if (!data.checksum().equals(b.meta("data.checksum"))) {
      throw new FormatException(
          file
              + ": was trained on other data (checksum "
              + b.meta("data.checksum")
              + ", this dataset "
              + data.checksum()
              + ")");
    }
  }

  /** The training config saved under {@code train.*}. */
  static TrainConfig readTrainConfig(TensorBundle b) throws FormatException {
    Map<String, String> train = new LinkedHashMap<>();
    for (Map.Entry<String, String> e : b.metadata().entrySet()) {
      if (e.getKey().startsWith("train.")) {
        train.put(e.getKey().substring(6), e.getValue());
      }
    }
    try {
      return TrainConfig.fromMap(train);
    } catch (IllegalArgumentException e) {
      throw new FormatException(b.source() + ": " + e.getMessage());
    }
  }

  static void writeProgress(TensorBundle b, Progress p) {
    b.meta("progress.epoch", Integer.toString(p.epoch()));
    b.meta("progress.step_in_epoch", Integer.toString(p.stepInEpoch()));
    b.meta("progress.global_step", Long.toString(p.globalStep()));
    b.meta("progress.loss_sum", Double.toString(p.lossSum()));
    b.meta("progress.loss_steps", Integer.toString(p.lossSteps()));
    b.meta("progress.best", Double.toString(p.best()));
    b.meta("progress.bad_epochs", Integer.toString(p.badEpochs()));
    b.meta("progress.complete", Boolean.toString(p.complete()));
  }

  /** The progress, its epoch within [0, {@code epochs}]. */
  static Progress readProgress(TensorBundle b, int epochs) throws FormatException {
    return new Progress(
        b.intMeta("progress.epoch", 0, epochs),
        b.intMeta("progress.step_in_epoch", 0, Integer.MAX_VALUE),
        b.longMeta("progress.global_step", 0, Long.MAX_VALUE),
        b.doubleMeta("progress.loss_sum", false),
        b.intMeta("progress.loss_steps", 0, Integer.MAX_VALUE),
        b.doubleMeta("progress.best", true),
        b.intMeta("progress.bad_epochs", 0, Integer.MAX_VALUE),
        Boolean.parseBoolean(b.requireMeta("progress.complete")));
  }

  static void writeOptimizer(TensorBundle b, Optimizer optimizer) {
    b.meta("optimizer.name", optimizer.name());
    b.meta("optimizer.steps", Long.toString(optimizer.steps()));
    for (Map.Entry<String, Tensor> e : optimizer.state().entrySet()) {
      b.put("optim/" + e.getKey(), e.getValue());
    }
  }

  /** Loads the saved optimiser state into {@code optimizer} (initialised on the model). */
  static void readOptimizer(TensorBundle b, Optimizer optimizer) throws FormatException {
    Map<String, Tensor> state = new LinkedHashMap<>();
    for (String name : b.names()) {
      if (name.startsWith("optim/")) {
        state.put(name.substring(6), b.requireTensor(name));
      }
    }
    try {
      optimizer.loadState(state, b.longMeta("optimizer.steps", 0, Long.MAX_VALUE));
    } catch (IllegalArgumentException e) {
      throw new FormatException(b.source() + ": optimizer state: " + e.getMessage());
    }
  }

  static void writeBest(TensorBundle b, Map<String, Tensor> best) {
    if (best != null) {
      for (Map.Entry<String, Tensor> e : best.entrySet()) {
        b.put("best/" + e.getKey(), e.getValue());
      }
    }
  }

  /** The best parameters saved, copied, or null when there are none. */
  static Map<String, Tensor> readBest(TensorBundle b, List<Parameter> params)
      throws FormatException {
    Map<String, Tensor> best = new LinkedHashMap<>();
    for (Parameter p : params) {
      String key = "best/" + p.name();
      if (b.has(key)) {
        Tensor t = b.requireTensor(key);
        if (!t.sameShape(p.value())) {
          throw new FormatException(
              b.source()
                  + ": "
                  + key
                  + " is "
                  + t.shape()
                  + ", the model has "
                  + p.value().shape());
        }
        best.put(p.name(), t.copy());
      }
    }
    return best.isEmpty() ? null : best;
  }

  /** The history length the model trained with (bags at query time); 50 when not saved. */
  public static int readHistoryLength(TensorBundle b) throws FormatException {
    return b.meta("train.history_length") == null
        ? 50
        : b.intMeta("train.history_length", 1, 10_000);
  }

  /**
   * The sampling-probability state saved in a checkpoint (estimator, counts or static), restored;
   * null when the run trained without correction.
   */
  public static SamplingProbabilities readProbabilities(TensorBundle b, int numItems)
      throws FormatException {
    String kind = b.meta("probs/kind");
    SamplingProbabilities p;
    try {
      if ("streaming".equals(kind)) {
        int buckets = b.intMeta("probs/buckets", 1, 1 << 28);
        int hashes = b.intMeta("probs/hashes", 1, 64);
        // The arrays must be in the file before the estimator allocates them: a crafted header
        // could otherwise claim gigabytes.
        int[] saved = b.has("probs/A") ? b.shape("probs/A") : new int[] {0, 0};
        if ((long) saved[0] * saved[1] != (long) buckets * hashes) {
          throw new FormatException(
              b.source()
                  + ": the estimator's saved state holds "
                  + (long) saved[0] * saved[1]
                  + " buckets, its metadata says "
                  + buckets
                  + " x "
                  + hashes);
        }
        p =
            new StreamingFrequencyEstimator(
                buckets,
                hashes,
                b.doubleMeta("probs/alpha", false),
                b.longMeta("probs/seed", Long.MIN_VALUE, Long.MAX_VALUE));
      } else if ("counts".equals(kind)) {
        p = new ExactCounts(numItems);
      } else if ("static".equals(kind)) {
        double[] uniform = new double[numItems];
        Arrays.fill(uniform, 1);
        p = new StaticProbabilities(uniform);
      } else if (kind == null || "none".equals(kind)) {
        return null;
      } else {
        throw new FormatException(
            b.source()
                + ": metadata 'probs/kind' = '"
                + kind
                + "', expected streaming, counts or static");
      }
      p.load(b, "probs/");
    } catch (IllegalArgumentException e) {
      throw new FormatException(b.source() + ": sampling-probability state: " + e.getMessage());
    }
    return p;
  }

  /** The saved config, to {@code epochs} epochs when that extends the run (0: as saved). */
  static TrainConfig extended(TrainConfig saved, TensorBundle b, Path file, int epochs)
      throws IOException {
    if (epochs == 0 || epochs == saved.epochs()) {
      return saved;
    }
    CheckpointCodec.Progress p = CheckpointCodec.readProgress(b, saved.epochs());
    int done = p.complete() ? saved.epochs() : p.epoch();
    if (p.complete() && saved.evaluation().patience() > 0) {
      throw new IllegalArgumentException(
          file
              + ": the run ended under early stopping and holds its best epoch's parameters, not"
              + " the last ones, so it cannot be extended to "
              + epochs
              + " epochs");
    }
    if (epochs < done || (epochs == done && p.stepInEpoch() > 0)) {
      throw new IllegalArgumentException(
          file
              + ": the run has trained "
              + done
              + " epochs already; --epochs "
              + epochs
              + " would undo them");
    }
    return saved.toBuilder().epochs(epochs).build();
  }
}
