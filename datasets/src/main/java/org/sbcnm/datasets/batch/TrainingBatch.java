package org.sbcnm.datasets.batch;

import org.sbcnm.engine.tensor.Tensor;

/**
 * One training step's inputs, filled by a {@link BatchAssembler} and reused from step to step (its
 * arrays are sized for a full batch; read only the first {@link #rows()} or {@link #columnCount()}
 * entries). Row r is example r: its user, and for history towers its bag {@code bagItems()[
 * bagOffsets()[r] .. bagOffsets()[r + 1])}; column c is an item (the m positives, then the u extra
 * negatives) with its log q.
 */
public final class TrainingBatch {
  private final int[] users;
  private final int[] bagOffsets;
  private final int[] bagItems;
  private final int[] columns;
  private final float[] logQ;
  private final Tensor fullWeights;
  private final Tensor lastWeights;
  private int rows;
  private int columnCount;

  TrainingBatch(int batchSize, int extra, int lastBatchSize, int bagCapacity, boolean hasLogQ) {
    this.users = new int[batchSize];
    this.bagOffsets = bagCapacity > 0 ? new int[batchSize + 1] : null;
    this.bagItems = bagCapacity > 0 ? new int[bagCapacity] : null;
    this.columns = new int[batchSize + extra];
    this.logQ = hasLogQ ? new float[batchSize + extra] : null;
    this.fullWeights = Tensor.zeros(batchSize, 1);
    this.lastWeights = Tensor.zeros(Math.max(1, lastBatchSize), 1);
  }

  void resize(int rows, int columnCount) {
    this.rows = rows;
    this.columnCount = columnCount;
  }

  /** m, the examples of this batch (the batch size, or fewer for an epoch's last batch). */
  public int rows() {
    return rows;
  }

  /** The users of the rows. */
  public int[] users() {
    return users;
  }

  /** Whether the rows carry history bags. */
  public boolean hasBags() {
    return bagOffsets != null;
  }

  /** m + 1 bag offsets into {@link #bagItems()}, or null without bags. */
  public int[] bagOffsets() {
    return bagOffsets;
  }

  /** The bags' items, or null without bags. */
  public int[] bagItems() {
    return bagItems;
  }

  /** The item columns: the m positives, then the extra negatives. */
  public int[] columns() {
    return columns;
  }

  /** m + u, the columns of this batch. */
  public int columnCount() {
    return columnCount;
  }

  /** log q of every column, or null when training without correction. */
  public float[] logQ() {
    return logQ;
  }

  /** The row weights, [m, 1]: ratings, or all 1. */
  public Tensor weights() {
    return rows == fullWeights.rows() ? fullWeights : lastWeights;
  }
}
