package org.sbcnm.training.loop;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Wall time of each phase of the training step, summed over the steps since the last {@link
 * #reset()}: batch assembly (examples, extra negatives, sampling probabilities), query tower, item
 * tower, scores + loss, backward, optimiser. When the towers run side by side ({@link
 * ConcurrentTowers}), their shared wall time is split between the two in proportion to each one's
 * own thread time, so the phases still add up to the step; their backward is part of "backward".
 */
public final class StepProfile {
  public static final String[] PHASES = {
    "batch_assembly", "query_tower", "item_tower", "scores_loss", "backward", "optimizer"
  };
  static final int BATCH_ASSEMBLY = 0;
  static final int QUERY_TOWER = 1;
  static final int ITEM_TOWER = 2;
  static final int SCORES_LOSS = 3;
  static final int BACKWARD = 4;
  static final int OPTIMIZER = 5;

  private final long[] nanos = new long[PHASES.length];
  private long phaseStart;
  private long steps;
  private long examples;
  private long firstStepAt;
  private long itemColumns;
  private long itemRows;

  /** A step begins at {@code now} ({@link System#nanoTime()}). */
  void startStep(long now) {
    if (firstStepAt == 0) {
      firstStepAt = now;
    }
    phaseStart = now;
  }

  /** Phase {@code phase} (one of the constants, in order) of the current step ends at now. */
  void endPhase(int phase, long now) {
    nanos[phase] += now - phaseStart;
    phaseStart = now;
  }

  /**
   * The towers, run side by side, end at {@code now}: their shared wall time is split between them
   * in proportion to each one's own thread time, so the phases still sum to the step.
   */
  void endTowersSideBySide(long now, long queryThreadNanos, long itemThreadNanos) {
    long wall = now - phaseStart;
    long both = queryThreadNanos + itemThreadNanos;
    long query = both == 0 ? 0 : (long) ((double) wall * queryThreadNanos / both);
    nanos[QUERY_TOWER] += query;
    nanos[ITEM_TOWER] += wall - query;
    phaseStart = now;
  }

  /** The step ends: it trained {@code examples} rows against {@code columns} item columns. */
  void endStep(int examples, int columns, int itemTowerRows) {
    steps++;
    this.examples += examples;
    itemColumns += columns;
    itemRows += itemTowerRows;
  }

  /** Forgets what was recorded (call after warm-up). */
  public void reset() {
    java.util.Arrays.fill(nanos, 0);
    steps = 0;
    examples = 0;
    itemColumns = 0;
    itemRows = 0;
  }

  /** Item columns of the batch softmax per step, on average. */
  public double itemColumnsPerStep() {
    return steps == 0 ? 0 : itemColumns / (double) steps;
  }

  /**
   * Rows the item tower computed per step, on average: fewer than the columns when each distinct
   * item is computed once ({@link Trainer#distinctColumns()}, padding included).
   */
  public double itemRowsPerStep() {
    return steps == 0 ? 0 : itemRows / (double) steps;
  }

  public long steps() {
    return steps;
  }

  public long examples() {
    return examples;
  }

  /** {@link System#nanoTime()} when the first step of the run began (0 before). */
  public long firstStepAt() {
    return firstStepAt;
  }

  /** Total step time in seconds. */
  public double seconds() {
    long t = 0;
    for (long n : nanos) {
      t += n;
    }
    return t / 1e9;
  }

  /** Seconds per phase, in {@link #PHASES} order. */
  public Map<String, Double> phaseSeconds() {
    Map<String, Double> m = new LinkedHashMap<>();
    for (int i = 0; i < PHASES.length; i++) {
      m.put(PHASES[i], nanos[i] / 1e9);
    }
    return m;
  }
}
