package org.sbcnm.training.loop;

import java.util.Locale;

/** Where the log pⱼ of the logit correction comes from (Yi et al., RecSys 2019, §4). */
public enum Correction {
  /** The streaming frequency estimator (the paper's Algorithms 2 and 3). */
  STREAMING,
  /** Exact running counts of the items seen in training. */
  COUNTS,
  /** Fixed probabilities given with the run (a file). */
  STATIC,
  /** No correction: the plain batch softmax. */
  NONE;

  /** The name on the command line and in checkpoints: {@code streaming}, {@code counts}, … */
  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The source named {@code id} (any case). */
  public static Correction parse(String id) {
    for (Correction c : values()) {
      if (c.id().equalsIgnoreCase(id.trim())) {
        return c;
      }
    }
    throw new IllegalArgumentException(
        "correction must be streaming, counts, static or none, got '" + id + "'");
  }
}
