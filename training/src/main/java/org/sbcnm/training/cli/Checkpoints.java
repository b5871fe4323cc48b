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

  /**
   * −β·log p̂ per item from the checkpoint's sampling-probability state (serving-time popularity
   * control); an error for a model trained without correction.
   */
  static float[] popularityAdjustment(Path ckpt, int numItems, double beta) throws IOException {
    TensorBundle b = TensorBundle.read(ckpt);
    String kind = b.meta("probs/kind");
    org.sbcnm.training.sampling.SamplingProbabilities p;
    if ("streaming".equals(kind)) {
      p = new org.sbcnm.training.sampling.StreamingFrequencyEstimator(Integer.parseInt(b.meta("probs/buckets")),
          Integer.parseInt(b.meta("probs/hashes")), Double.parseDouble(b.meta("probs/alpha")), Long.parseLong(b.meta("probs/seed")));
    } else if ("counts".equals(kind)) {
      p = new org.sbcnm.training.sampling.ExactCounts(numItems);
    } else if ("static".equals(kind)) {
      double[] uniform = new double[numItems];
      java.util.Arrays.fill(uniform, 1);
      p = new org.sbcnm.training.sampling.StaticProbabilities(uniform);
    } else {
      throw new CliException(ckpt + ": has no sampling-probability state (trained without correction); popularity control needs one");
    }
    p.load(b, "probs/");
    return org.sbcnm.training.retrieval.PopularityControl.adjustment(p, numItems, beta);
  }

  /** The history length a checkpoint trained with (for bags at query time). */
  static int historyLength(Path ckpt) throws IOException {
    String v = TensorBundle.read(ckpt).meta("train.history_length");
    return v == null ? 50 : Integer.parseInt(v);
  }
}
