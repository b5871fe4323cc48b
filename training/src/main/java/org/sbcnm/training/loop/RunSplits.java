package org.sbcnm.training.loop;

import java.util.Map;
import org.sbcnm.datasets.prepared.Interactions;
import org.sbcnm.datasets.prepared.PreparedDataset;
import org.sbcnm.datasets.split.HeldOutSplit;
import org.sbcnm.datasets.split.UserHistories;
import org.sbcnm.towers.tower.TwoTowerModel;
import org.sbcnm.training.eval.QueryEncoder;
import org.sbcnm.training.eval.RetrievalMetrics;

/**
 * The splits of one run and the evaluations on them. The test split holds out each user's last
 * interaction; with validation, each user's second-to-last interaction is held out of the rest too,
 * and training sees what remains. History bags come from the interactions the model may see: the
 * training ones for training steps and validation, all but the test item for the test split.
 */
final class RunSplits {
  private final PreparedDataset data;
  private final HeldOutSplit test;
  private final HeldOutSplit validation;
  private final Interactions train;
  private final UserHistories histories;
  private final int historyLength;

  /**
   * @param validation whether to hold out the validation split
   * @param bags whether the query tower reads history bags (then histories are built)
   */
  RunSplits(PreparedDataset data, boolean validation, boolean bags, int historyLength) {
    this.data = data;
    this.test = HeldOutSplit.of(data.interactions(), data.numUsers());
    this.validation = validation ? HeldOutSplit.of(test.train(), data.numUsers()) : null;
    this.train = validation ? this.validation.train() : test.train();
    if (train.size() == 0) {
      throw new IllegalArgumentException("the dataset has no training interactions");
    }
    if (validation && this.validation.testSize() == 0) {
      throw new IllegalArgumentException(
          "the validation split is empty: no user has three interactions or more");
    }
    this.histories = bags ? UserHistories.of(train, data.numUsers()) : null;
    this.historyLength = historyLength;
  }

  /**
   * One period of a stream: every interaction of {@code data} trains, none is held out, and a
   * history tower's bags reach back into each user's {@code earlier} interactions.
   */
  RunSplits(PreparedDataset data, Interactions earlier, boolean bags, int historyLength) {
    this.data = data;
    this.test = HeldOutSplit.none(data.interactions(), data.numUsers());
    this.validation = null;
    this.train = data.interactions();
    if (train.size() == 0) {
      throw new IllegalArgumentException("the period has no interactions");
    }
    this.histories = bags ? UserHistories.of(earlier, train, data.numUsers()) : null;
    this.historyLength = historyLength;
  }

  /** The test split: each user's last interaction against all the others. */
  HeldOutSplit test() {
    return test;
  }

  /** Whether a validation split is held out. */
  boolean hasValidation() {
    return validation != null;
  }

  /** The interactions the model trains on. */
  Interactions train() {
    return train;
  }

  /** Each user's training items in time order, or null when the query tower reads no bags. */
  UserHistories histories() {
    return histories;
  }

  /**
   * Full-catalogue Recall/NDCG@{@code ks} and MRR of {@code model} on the test split (the user's
   * other interactions, the validation item included, are excluded from the ranking and form the
   * history bags).
   */
  Map<String, Double> evaluateTest(TwoTowerModel model, int[] ks) {
    int[] ranks = RetrievalMetrics.ranks(model, test, model.itemEmbeddings(), testEncoder(), null);
    return RetrievalMetrics.fromRanks(ranks, ks);
  }

  /** The same on the validation split, against the training interactions. */
  Map<String, Double> evaluateValidation(TwoTowerModel model, int[] ks) {
    if (validation == null) {
      throw new IllegalStateException("this run holds out no validation split");
    }
    int[] ranks =
        RetrievalMetrics.ranks(
            model,
            validation,
            model.itemEmbeddings(),
            QueryEncoder.of(histories, historyLength),
            null);
    return RetrievalMetrics.fromRanks(ranks, ks);
  }

  /** Fills query batches for test users (bags of a user's whole history before the test item). */
  QueryEncoder testEncoder() {
    if (histories == null || validation == null) {
      return QueryEncoder.of(histories, historyLength);
    }
    return QueryEncoder.of(UserHistories.of(test.train(), data.numUsers()), historyLength);
  }
}
