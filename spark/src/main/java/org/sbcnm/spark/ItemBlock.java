package org.sbcnm.spark;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import org.sbcnm.engine.tensor.Tensor;
import org.sbcnm.training.retrieval.ExactIndex;

/**
 * A block of the catalogue: items [offset, offset + rows) with their embeddings [rows, dim].
 *
 * @param offset the first item's index in the catalogue
 * @param rows items in the block
 * @param dim embedding width
 * @param embeddings the rows, row-major
 */
record ItemBlock(int offset, int rows, int dim, float[] embeddings) implements Serializable {
  /**
   * Items per scoring block of the exact index: blocks cut at multiples of it score every (user,
   * item) pair with the same GEMM call as one JVM does, to the last bit.
   */
  static final int ALIGN = 2048;

  /** {@code items} [N, d] in {@code blocks} blocks of whole multiples of {@value #ALIGN} items. */
  static List<ItemBlock> cut(Tensor items, int blocks) {
    int n = items.rows();
    int d = items.cols();
    int units = (n + ALIGN - 1) / ALIGN;
    int perBlock = (units + blocks - 1) / blocks * ALIGN;
    List<ItemBlock> out = new ArrayList<>();
    for (int off = 0; off < n; off += perBlock) {
      int rows = Math.min(perBlock, n - off);
      float[] e = new float[rows * d];
      System.arraycopy(items.floats(), items.offset() + off * d, e, 0, rows * d);
      out.add(new ItemBlock(off, rows, d, e));
    }
    return out;
  }

  ExactIndex index() {
    return new ExactIndex(Tensor.wrap(embeddings, rows, dim));
  }
}
