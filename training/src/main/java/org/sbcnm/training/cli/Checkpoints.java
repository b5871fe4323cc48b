package org.sbcnm.training.cli;

import java.io.IOException;
import java.nio.file.Path;
import org.sbcnm.datasets.prepared.PreparedDataset;
import org.sbcnm.datasets.split.HeldOutSplit;
import org.sbcnm.engine.io.TensorBundle;
import org.sbcnm.engine.tensor.Tensor;
import org.sbcnm.towers.tower.TwoTowerModel;
import org.sbcnm.training.eval.QueryEncoder;
import org.sbcnm.training.loop.CheckpointCodec;
import org.sbcnm.training.loop.CheckpointFiles;
import org.sbcnm.training.loop.Models;
import org.sbcnm.training.retrieval.PopularityControl;
import org.sbcnm.training.sampling.SamplingProbabilities;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A checkpoint read once, with its model built over a dataset. */
final class Checkpoints {
  private static final Logger LOG = LoggerFactory.getLogger(Checkpoints.class);

  private Checkpoints() {}

  /**
   * A checkpoint checked whole at load: the model, the history length it trained with (bags at
   * query time) and its sampling-probability state (null when trained without correction).
   */
  record Loaded(
      Path file,
      TwoTowerModel model,
      TensorBundle bundle,
      SamplingProbabilities probabilities,
      int historyLength) {
    /** Query batches for users of {@code split}: ids, and history bags for history towers. */
    QueryEncoder encoder(PreparedDataset d, HeldOutSplit split) {
      return QueryEncoder.forModel(model, split, d.numUsers(), historyLength);
    }

    /**
     * Every known user's query embedding [users, outDim], in chunks, as {@code retrieve} computes
     * them: a history tower reads each user's most recent training items (the held-out test item
     * excluded).
     */
    Tensor queryEmbeddings(PreparedDataset d, HeldOutSplit split) {
      return QueryEncoder.embedAll(model, encoder(d, split), d.numUsers());
    }

    /** Whether the checkpoint holds a sampling-probability state (trained with correction). */
    boolean hasProbabilities() {
      return probabilities != null;
    }

    /**
     * −β·τ·log p̂ per item, to add to cosine scores, from the checkpoint's sampling-probability
     * state and temperature (serving-time popularity control, β in units of the training logit); an
     * error for a model trained without correction.
     */
    float[] popularityAdjustment(int numItems, double beta) {
      if (probabilities == null) {
        throw new CliException(
            file
                + ": has no sampling-probability state (trained without correction); popularity control needs one");
      }
      return PopularityControl.adjustment(
          probabilities, numItems, beta, model.config().temperature());
    }
  }

  static Loaded load(Path ckpt, PreparedDataset data) throws IOException {
    ckpt = CheckpointFiles.latest(ckpt);
    TensorBundle b = TensorBundle.read(ckpt);
    CheckpointCodec.checkFormat(b, ckpt);
    String sum = b.meta("data.checksum");
    if (sum != null && !sum.isEmpty() && !sum.equals(data.checksum())) {
      LOG.warn("{} was trained on other data (checksum differs); ids must still match", ckpt);
    }
    TwoTowerModel model;
    try {
      model = Models.build(TwoTowerModel.configOf(b), data, b);
    } catch (IllegalArgumentException e) {
      throw new CliException(ckpt + ": does not fit this dataset: " + e.getMessage());
    }
    try {
      model.load(b);
    } catch (IllegalArgumentException e) {
      throw new CliException(ckpt + ": " + e.getMessage());
    }
    // Checked whole at load, so that no later use meets a damaged state.
    SamplingProbabilities p = CheckpointCodec.readProbabilities(b, data.numItems());
    return new Loaded(ckpt, model, b, p, CheckpointCodec.readHistoryLength(b));
  }
}
