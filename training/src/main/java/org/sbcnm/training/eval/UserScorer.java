package org.sbcnm.training.eval;

/**
 * A personalised baseline after fitting: a score for every item, for one user at a time. Fitted
 * state is read only, so several threads may score at once, each into its own row.
 */
@FunctionalInterface
public interface UserScorer {
  /** Writes user {@code user}'s score of every item into {@code out[0, numItems)}. */
  void scores(int user, float[] out);
}
