package org.sbcnm.spark;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import org.sbcnm.datasets.prepared.PreparedDataset;
import org.sbcnm.datasets.split.HeldOutSplit;
import org.sbcnm.datasets.split.UserHistories;
import org.sbcnm.engine.io.FormatException;
import org.sbcnm.engine.io.TensorBundle;
import org.sbcnm.towers.config.TowerKind;
import org.sbcnm.towers.tower.TwoTowerModel;
import org.sbcnm.training.eval.QueryEncoder;
import org.sbcnm.training.loop.CheckpointCodec;
import org.sbcnm.training.loop.Models;

/**
 * A checkpoint's model built over its prepared dataset, once per JVM: the driver loads it to embed
 * the catalogue, and each executor loads it again from the broadcast checkpoint bytes to embed its
 * users. The prepared folder must be readable from every executor (a shared file system), as it is
 * for the trainer.
 *
 * @param dataset the prepared dataset the model was built over
 * @param model the two-tower model, read-only after load (forward passes may run concurrently)
 * @param encoder fills query batches: ids, and for history towers the users' most recent training
 *     items under the held-out split
 */
record LoadedModel(PreparedDataset dataset, TwoTowerModel model, QueryEncoder encoder) {
  private static final ConcurrentHashMap<String, LoadedModel> CACHE = new ConcurrentHashMap<>();

  /**
   * The model of checkpoint {@code bytes} over the dataset at {@code dataDir}, loaded on first use
   * in this JVM under {@code key} (the broadcast's id) and shared by every later task.
   */
  static LoadedModel get(String key, byte[] checkpoint, String dataDir) {
    return CACHE.computeIfAbsent(
        key + '\n' + dataDir,
        k -> {
          try {
            return load(checkpoint, dataDir);
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        });
  }

  /** Forgets every model this JVM loaded (the driver calls it when a job ends). */
  static void release(String key, String dataDir) {
    CACHE.remove(key + '\n' + dataDir);
  }

  /**
   * The checkpoint's bytes without its optimiser state (Adam's moments weigh twice the parameters),
   * which inference never reads: what the job broadcasts.
   */
  static byte[] inferenceBytes(Path ckpt) throws IOException {
    TensorBundle b = TensorBundle.read(ckpt);
    CheckpointCodec.checkFormat(b, ckpt);
    List<String> state = new ArrayList<>();
    for (String name : b.names()) {
      if (name.startsWith("optim/")) {
        state.add(name);
      }
    }
    if (state.isEmpty()) {
      return Files.readAllBytes(ckpt);
    }
    state.forEach(b::remove);
    Path tmp = Files.createTempFile("sbcnm-inference", ".sbcnm");
    try {
      b.write(tmp);
      return Files.readAllBytes(tmp);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  static LoadedModel load(byte[] checkpoint, String dataDir) throws IOException {
    PreparedDataset d = PreparedDataset.read(Path.of(dataDir), false);
    Path tmp = Files.createTempFile("sbcnm-ckpt", ".sbcnm");
    TensorBundle b;
    try {
      Files.write(tmp, checkpoint);
      b = TensorBundle.read(tmp);
      CheckpointCodec.checkFormat(b, tmp);
    } finally {
      Files.deleteIfExists(tmp);
    }
    TwoTowerModel model;
    try {
      model = Models.build(TwoTowerModel.configOf(b), d, b);
      model.load(b);
    } catch (IllegalArgumentException e) {
      throw new FormatException(
          "checkpoint does not fit the dataset " + dataDir + ": " + e.getMessage());
    }
    UserHistories h =
        model.config().query().kind() == TowerKind.HISTORY
            ? UserHistories.of(
                HeldOutSplit.of(d.interactions(), d.numUsers()).train(), d.numUsers())
            : null;
    return new LoadedModel(d, model, QueryEncoder.of(h, CheckpointCodec.readHistoryLength(b)));
  }
}
