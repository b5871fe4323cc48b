package org.sbcnm.training.loss;

import java.util.Arrays;
import org.sbcnm.engine.io.FormatException;
import org.sbcnm.engine.io.TensorBundle;
import org.sbcnm.engine.tensor.BitMatrix;
import org.sbcnm.engine.tensor.DType;
import org.sbcnm.engine.tensor.Tensor;

/**
 * A first-in, first-out memory of the item embeddings of recent batches, used as extra negatives
 * (cross-batch negatives: Wang et al., "Cross-Batch Memory for Embedding Learning", CVPR 2020; for
 * retrieval, "Cross-Batch Negative Sampling for Training Two-Tower Recommenders", SIGIR 2021).
 *
 * <p>After each step the batch's positive item embeddings [B, d] are copied in, replacing the
 * oldest rows once the memory holds {@code capacity}; the next steps score their queries against
 * them as constants (no gradient flows into a stored row, whose item tower has moved on since).
 * Each stored row remembers its item, for the correction (its log qⱼ under the current estimate,
 * the per-slot unit of the batch columns: every stored row was a batch slot drawn from p) and for
 * masking accidental hits. Storage: {@code capacity × d} floats, allocated once.
 *
 * <p>Experimental: with the default towers and rates, training with a memory of 1,024 or 4,096 rows
 * loses most of its recall on MovieLens 100K and the synthetic preset ({@code
 * bench/compare-xbm.sh}), with or without the correction.
 */
public final class CrossBatchMemory {
  private final Tensor embeddings;
  private final int[] items;
  private Tensor held;
  private long[] itemRow = new long[0];
  private int size;
  private int head;

  /**
   * @param capacity rows kept, ≥ 1
   * @param dim embedding width
   * @param type the embeddings' type (the model's)
   */
  public CrossBatchMemory(int capacity, int dim, DType type) {
    if (capacity < 1 || dim < 1) {
      throw new IllegalArgumentException(
          "cross-batch memory of " + capacity + " rows of width " + dim);
    }
    embeddings = Tensor.zeros(type, capacity, dim);
    items = new int[capacity];
    held = embeddings.rowRange(0, 0);
  }

  /** Rows held, at most the capacity. */
  public int size() {
    return size;
  }

  public int capacity() {
    return items.length;
  }

  /** The item of each held row, rows [0, size). */
  public int[] items() {
    return items;
  }

  /** The held rows [size, d], in storage order (a view, replaced while the memory fills). */
  public Tensor embeddings() {
    if (held.rows() != size) {
      held = embeddings.rowRange(0, size);
    }
    return held;
  }

  /** Copies rows [0, n) of {@code v} with their items in, replacing the oldest rows when full. */
  public void push(Tensor v, int[] rowItems, int n) {
    if (v.cols() != embeddings.cols() || v.rows() < n) {
      throw new IllegalArgumentException(
          "cross-batch memory of width "
              + embeddings.cols()
              + ": got ["
              + v.rows()
              + ", "
              + v.cols()
              + "] for "
              + n
              + " rows");
    }
    int d = embeddings.cols();
    for (int r = 0; r < n; r++) {
      for (int c = 0; c < d; c++) {
        embeddings.set(head, c, v.get(r, c));
      }
      items[head] = rowItems[r];
      head = (head + 1) % items.length;
      size = Math.min(size + 1, items.length);
    }
  }

  /**
   * Sets M[i, offset + k] for every row i &lt; b and stored row k holding row i's item (accidental
   * hits). Sorting (item, row) pairs finds them in O((M + b) log M).
   */
  public void maskHits(BitMatrix mask, int[] rowItems, int b, int offset) {
    if (itemRow.length < size) {
      itemRow = new long[items.length];
    }
    for (int k = 0; k < size; k++) {
      itemRow[k] = ((long) items[k] << 32) | k;
    }
    Arrays.sort(itemRow, 0, size);
    for (int i = 0; i < b; i++) {
      int x = Arrays.binarySearch(itemRow, 0, size, (long) rowItems[i] << 32);
      for (x = x >= 0 ? x : -x - 1; x < size && (int) (itemRow[x] >> 32) == rowItems[i]; x++) {
        mask.set(i, offset + (int) itemRow[x]);
      }
    }
  }

  /** Writes the memory into a checkpoint, so that a resumed run continues bit for bit. */
  public void save(TensorBundle b, String prefix) {
    b.put(prefix + "embeddings", embeddings);
    b.putInts(prefix + "items", items, 1, items.length);
    b.meta(prefix + "size", Integer.toString(size));
    b.meta(prefix + "head", Integer.toString(head));
  }

  /** Reads what {@link #save} wrote; the capacity and width must match, items lie in [0, N). */
  public void load(TensorBundle b, String prefix, int numItems) throws FormatException {
    Tensor e = b.requireTensor(prefix + "embeddings");
    int[] saved = b.requireInts(prefix + "items");
    if (e.rows() != embeddings.rows() || e.cols() != embeddings.cols()) {
      throw new FormatException(
          prefix
              + "embeddings: ["
              + e.rows()
              + ", "
              + e.cols()
              + "], expected ["
              + embeddings.rows()
              + ", "
              + embeddings.cols()
              + "]");
    }
    if (saved.length != items.length) {
      throw new FormatException(
          prefix + "items: " + saved.length + " entries, expected " + items.length);
    }
    for (int item : saved) {
      if (item < 0 || item >= numItems) {
        throw new FormatException(prefix + "items: item " + item + " outside 0.." + (numItems - 1));
      }
    }
    int n = b.intMeta(prefix + "size", 0, items.length);
    int h = b.intMeta(prefix + "head", 0, items.length - 1);
    embeddings.copyFrom(e);
    System.arraycopy(saved, 0, items, 0, items.length);
    size = n;
    head = h;
  }
}
