package org.sbcnm.training.cli;

import java.io.IOException;
import java.nio.file.Path;
import org.sbcnm.datasets.prepared.PreparedDataset;
import org.sbcnm.engine.io.TensorBundle;
import org.sbcnm.towers.tower.TwoTowerModel;
import org.sbcnm.training.loop.Models;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Loads the model of a checkpoint over a dataset. */
final class Checkpoints {
  private static final Logger LOG = LoggerFactory.getLogger(Checkpoints.class);

  private Checkpoints() {}

  static TwoTowerModel load(Path ckpt, PreparedDataset data) throws IOException {
    TensorBundle b = TensorBundle.read(ckpt);
    if (b.meta("model.temperature") == null) {
      throw new CliException(ckpt + ": not an sbcnm model checkpoint (no model config)");
    }
    String sum = b.meta("data.checksum");
    if (sum != null && !sum.isEmpty() && !sum.equals(data.checksum())) {
      LOG.warn("{} was trained on other data (checksum differs); ids must still match", ckpt);
    }
    TwoTowerModel model;
    try {
      model = Models.build(TwoTowerModel.configOf(b), data);
      model.load(b);
    } catch (IllegalArgumentException e) {
      throw new CliException(ckpt + ": does not fit this dataset: " + e.getMessage());
    }
    return model;
  }

  /** The history length a checkpoint trained with (for bags at query time). */
  static int historyLength(Path ckpt) throws IOException {
    String v = TensorBundle.read(ckpt).meta("train.history_length");
    return v == null ? 50 : Integer.parseInt(v);
  }
}
