package org.sbcnm.training.eval;

import org.sbcnm.datasets.split.HeldOutSplit;
import org.sbcnm.datasets.split.UserHistories;
import org.sbcnm.engine.autograd.Tape;
import org.sbcnm.engine.tensor.Tensor;
import org.sbcnm.towers.config.TowerKind;
import org.sbcnm.towers.tower.TowerBatch;
import org.sbcnm.towers.tower.TwoTowerModel;

/** Fills a query batch for a list of users (ids and, for history towers, their bags). */
@FunctionalInterface
public interface QueryEncoder {
  void fill(TowerBatch batch, int[] users, int off, int n);

  /**
   * Users' ids and, when {@code histories} is not null (history towers), the bag of each user's
   * most recent {@code maxLength} training items.
   */
  static QueryEncoder of(UserHistories histories, int maxLength) {
    return (batch, users, off, n) -> {
      batch.set(users, off, n);
      if (histories != null) {
        histories.fullBags(
            users, off, n, maxLength, batch.bagOffsets(), batch.bagIdsBuffer(n * maxLength));
      }
    };
  }

  /**
   * Query batches of {@code model}'s query tower for users of {@code split}: ids, and for a history
   * tower the bag of each user's most recent {@code historyLength} training items.
   */
  static QueryEncoder forModel(
      TwoTowerModel model, HeldOutSplit split, int numUsers, int historyLength) {
    UserHistories h =
        model.config().query().kind() == TowerKind.HISTORY
            ? UserHistories.of(split.train(), numUsers)
            : null;
    return of(h, historyLength);
  }

  /** Users embedded per pass of the query tower by {@link #embedAll}. */
  int CHUNK = 4096;

  /**
   * The query embeddings [users, out] of users 0..users−1 as {@code encoder} describes them, a
   * chunk of {@value #CHUNK} users per pass of {@code model}'s query tower.
   */
  static Tensor embedAll(TwoTowerModel model, QueryEncoder encoder, int users) {
    int[] all = new int[users];
    for (int u = 0; u < users; u++) {
      all[u] = u;
    }
    Tensor out = Tensor.zeros(users, model.config().query().outDim());
    Tape tape = new Tape();
    TowerBatch batch = new TowerBatch();
    for (int s = 0; s < users; s += CHUNK) {
      int m = Math.min(CHUNK, users - s);
      encoder.fill(batch, all, s, m);
      try (Tape t = tape.begin()) {
        out.rowRange(s, m).copyFrom(model.query().embed(t, batch).value());
      }
    }
    return out;
  }
}
