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
        int[] bag = batch.bagIdsBuffer(n * maxLength);
        int[] offsets = batch.bagOffsets();
        offsets[0] = 0;
        for (int r = 0; r < n; r++) {
          offsets[r + 1] =
              offsets[r] + histories.fullBag(users[off + r], maxLength, bag, offsets[r]);
        }
      }
    };
  }
}
