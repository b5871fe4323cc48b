package org.sbcnm.training.loop;

/**
 * How a run executes: none of these changes what is learnt beyond the rounding order, and the first
 * three are saved so that a resume keeps it.
 *
 * @param threads kernel threads of the run's pool
 * @param sequentialTowers run the two towers one after the other even when they could run side by
 *     side (same model either way, up to rounding order)
 * @param fullColumns compute every in-batch column instead of one per distinct item (same loss up
 *     to rounding order)
 * @param checkpointEvery also checkpoint every this many steps (0 = at epoch ends only)
 * @param stopAfterSteps stop as if killed after this many steps of this run (0 = never); for tests
 *     of resuming, never saved
 */
public record ExecutionConfig(
    int threads,
    boolean sequentialTowers,
    boolean fullColumns,
    int checkpointEvery,
    long stopAfterSteps) {
  public ExecutionConfig {
    TrainConfig.range("threads", threads, 1, 1024);
    TrainConfig.range("checkpoint_every", checkpointEvery, 0, Integer.MAX_VALUE);
    if (stopAfterSteps < 0) {
      throw new IllegalArgumentException("stop_after_steps must be >= 0");
    }
  }
}
