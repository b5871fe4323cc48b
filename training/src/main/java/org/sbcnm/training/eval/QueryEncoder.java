package org.sbcnm.training.eval;

import org.sbcnm.towers.tower.TowerBatch;

/** Fills a query batch for a list of users (ids and, for history towers, their bags). */
@FunctionalInterface
public interface QueryEncoder {
  void fill(TowerBatch batch, int[] users, int off, int n);
}
