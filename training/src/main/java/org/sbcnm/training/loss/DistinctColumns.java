package org.sbcnm.training.loss;

import it.unimi.dsi.fastutil.ints.IntOpenHashSet;
import it.unimi.dsi.fastutil.longs.Long2IntOpenHashMap;
import org.sbcnm.engine.tensor.Tensor;

/**
 * The distinct columns of a batch: columns holding the same item with the same log qⱼ have the same
 * item embedding, logit and correction, so the item tower and the score matrix need one column per
 * distinct (item, log qⱼ) pair, counted as many times as it occurs (see {@link
 * BatchSoftmaxLoss#applyDistinct}).
 *
 * <p>Why: with Zipf-distributed interactions a batch repeats its popular items. On {@code
 * synth-bench} (Zipf 1.1) a batch of 1,024 positives holds about 580 distinct items, so the item
 * tower and the three B × N score products shrink by about 40%.
 *
 * <p>Distinct columns are numbered in order of first occurrence, so the grouping is deterministic;
 * a hash map keyed on (item, bits of log q) finds them in O(n). The count is padded to a multiple
 * of {@link #PAD} with columns that stand for nothing ({@link #isPadding}: the loss gives them no
 * probability), so that the tensors of a step take a handful of shapes and their reused buffers
 * stay allocated. Shapes: n columns in, {@link #size()} distinct columns (padding included) out.
 */
public final class DistinctColumns {
  /** Distinct columns come in multiples of this: the GEMM micro-tile width. */
  public static final int PAD = 16;

  private int[] items = new int[0];
  private float[] logQ = new float[0];
  private int[] distinctOf = new int[0];
  private final Long2IntOpenHashMap byKey = new Long2IntOpenHashMap();
  private final IntOpenHashSet itemsSeen = new IntOpenHashSet();

  /** Columns each distinct column stands for (floats: exact up to 2²⁴, far above a batch). */
  private float[] countValues = new float[0];

  private Tensor[] countViews = new Tensor[0];
  private boolean hasLogQ;
  private boolean itemRepeats;
  private int distinct;
  private int size;

  public DistinctColumns() {
    byKey.defaultReturnValue(-1);
  }

  /**
   * Groups columns [0, n), n ≥ 1.
   *
   * @param columnItems item of each column
   * @param columnLogQ log qⱼ of each column, or null for no correction
   */
  public DistinctColumns build(int[] columnItems, float[] columnLogQ, int n) {
    if (n < 1) {
      throw new IllegalArgumentException("distinct columns of " + n + " columns");
    }
    int padded = (n + PAD - 1) / PAD * PAD;
    if (items.length < padded) {
      items = new int[padded];
      logQ = new float[padded];
      countValues = new float[padded];
      countViews = new Tensor[padded / PAD + 1];
    }
    if (distinctOf.length < n) {
      distinctOf = new int[n];
    }
    // clear() keeps the tables' capacity, so a step allocates nothing once they have grown.
    byKey.clear();
    itemsSeen.clear();
    hasLogQ = columnLogQ != null;
    itemRepeats = false;
    distinct = 0;
    for (int j = 0; j < n; j++) {
      int item = columnItems[j];
      int bits = hasLogQ ? Float.floatToRawIntBits(columnLogQ[j]) : 0;
      long key = ((long) item << 32) | (bits & 0xFFFFFFFFL);
      int found = byKey.get(key);
      if (found < 0) {
        found = distinct++;
        byKey.put(key, found);
        // A new column for an item seen before: the same item with another log q.
        itemRepeats |= !itemsSeen.add(item);
        items[found] = item;
        logQ[found] = hasLogQ ? columnLogQ[j] : 0f;
        countValues[found] = 0;
      }
      countValues[found]++;
      distinctOf[j] = found;
    }
    size = (distinct + PAD - 1) / PAD * PAD;
    for (int d = distinct; d < size; d++) {
      // Padding repeats a real item, so any tower can embed it; the loss ignores it.
      items[d] = items[0];
      logQ[d] = logQ[0];
      countValues[d] = 1;
    }
    return this;
  }

  /** Number of distinct columns, padding included: a multiple of {@link #PAD}. */
  public int size() {
    return size;
  }

  /** Number of distinct columns without the padding. */
  public int distinct() {
    return distinct;
  }

  /** True for the padding columns, [distinct(), size()). */
  public boolean isPadding(int d) {
    return d >= distinct;
  }

  /** Item of each distinct column, [0, size()). */
  public int[] items() {
    return items;
  }

  /** log qⱼ of each distinct column, or null when built without. */
  public float[] logQ() {
    return hasLogQ ? logQ : null;
  }

  /** Distinct column of each input column. */
  public int[] distinctOf() {
    return distinctOf;
  }

  /** How many input columns each distinct column stands for (1 for padding), as [1, size()]. */
  public Tensor counts() {
    int k = size / PAD;
    Tensor v = countViews[k];
    if (v == null) {
      v = countViews[k] = Tensor.wrap(countValues, 0, 1, size);
    }
    return v;
  }

  /** True when one item fills two distinct columns (the same item with different log qⱼ). */
  public boolean itemRepeats() {
    return itemRepeats;
  }
}
