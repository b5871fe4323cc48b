package org.sbcnm.training.eval;

import org.sbcnm.datasets.split.UserHistories;
import org.sbcnm.towers.tower.TowerBatch;

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
}
