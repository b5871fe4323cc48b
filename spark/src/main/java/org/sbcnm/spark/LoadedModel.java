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
import org.sbcnm.engine.io.FormatException;
import org.sbcnm.engine.io.TensorBundle;
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
   * A checkpoint as inference needs it: the bundle without its optimiser state (Adam's moments
   * weigh twice the parameters; inference never reads them), and that bundle's bytes, which the job
   * broadcasts.
   */
  record Slim(TensorBundle bundle, byte[] bytes) {}

  static Slim forInference(Path ckpt) throws IOException {
    TensorBundle b = TensorBundle.read(ckpt);
    CheckpointCodec.checkFormat(b, ckpt);
    List<String> state = new ArrayList<>();
    for (String name : b.names()) {
      if (name.startsWith("optim/")) {
        state.add(name);
      }
    }
    if (state.isEmpty()) {
      return new Slim(b, Files.readAllBytes(ckpt));
    }
    state.forEach(b::remove);
    Path tmp = Files.createTempFile("sbcnm-inference", ".sbcnm");
    try {
      b.write(tmp);
      return new Slim(b, Files.readAllBytes(tmp));
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /**
   * The model of the broadcast checkpoint {@code bytes} over the dataset at {@code dataDir}, loaded
   * on first use in this JVM under {@code key} (the broadcast's id) and shared by every later task.
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

  /**
   * The driver's model, built from the bundle it already holds and kept under {@code key}: in local
   * mode the executors' tasks find it there.
   */
  static LoadedModel put(String key, TensorBundle checkpoint, String dataDir) throws IOException {
    LoadedModel m = build(checkpoint, dataDir);
    CACHE.put(key + '\n' + dataDir, m);
    return m;
  }

  /** Forgets every model this JVM loaded (the driver calls it when a job ends). */
  static void release(String key, String dataDir) {
    CACHE.remove(key + '\n' + dataDir);
  }

  static LoadedModel load(byte[] checkpoint, String dataDir) throws IOException {
    Path tmp = Files.createTempFile("sbcnm-ckpt", ".sbcnm");
    TensorBundle b;
    try {
      Files.write(tmp, checkpoint);
      b = TensorBundle.read(tmp);
      CheckpointCodec.checkFormat(b, tmp);
    } finally {
      Files.deleteIfExists(tmp);
    }
    return build(b, dataDir);
  }

  private static LoadedModel build(TensorBundle b, String dataDir) throws IOException {
    PreparedDataset d = PreparedDataset.read(Path.of(dataDir), false);
    TwoTowerModel model;
    try {
      model = Models.build(TwoTowerModel.configOf(b), d, b);
      model.load(b);
    } catch (IllegalArgumentException e) {
      throw new FormatException(
          "checkpoint does not fit the dataset " + dataDir + ": " + e.getMessage());
    }
    HeldOutSplit split = HeldOutSplit.of(d.interactions(), d.numUsers());
    return new LoadedModel(
        d,
        model,
        QueryEncoder.forModel(model, split, d.numUsers(), CheckpointCodec.readHistoryLength(b)));
  }
}
