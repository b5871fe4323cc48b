package org.sbcnm.spark;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import org.sbcnm.engine.tensor.Tensor;
import org.sbcnm.training.retrieval.ExactIndex;

/**
 * A block of the catalogue, items [offset, offset + rows). Only the range travels: the executor
 * embeds the block with its own copy of the model (rows are embedded independently, so the block's
 * embeddings equal those rows of the whole catalogue's, bit for bit), once per JVM.
 *
 * @param offset the first item's index in the catalogue
 * @param rows items in the block
 */
record ItemBlock(int offset, int rows) implements Serializable {
  /**
   * Items per scoring block of the exact index: blocks cut at multiples of it score every (user,
   * item) pair with the same GEMM call as one JVM does, to the last bit.
   */
  static final int ALIGN = ExactIndex.ITEM_BLOCK;

  /** Items per pass of the item tower, as {@code TwoTowerModel.itemEmbeddings} embeds them. */
  private static final int EMBED_CHUNK = 4096;

  /**
   * A catalogue of {@code n} items in {@code blocks} blocks of whole multiples of {@value #ALIGN}.
   */
  static List<ItemBlock> cut(int n, int blocks) {
    int units = (n + ALIGN - 1) / ALIGN;
    int perBlock = (units + blocks - 1) / blocks * ALIGN;
    List<ItemBlock> out = new ArrayList<>();
    for (int off = 0; off < n; off += perBlock) {
      out.add(new ItemBlock(off, Math.min(perBlock, n - off)));
    }
    return out;
  }

  /** The block's item embeddings [rows, out] by the model's item tower. */
  Tensor embed(LoadedModel m) {
    int[] ids = new int[rows];
    for (int r = 0; r < rows; r++) {
      ids[r] = offset + r;
    }
    Tensor out = Tensor.zeros(rows, m.model().config().item().outDim());
    synchronized (m.model()) {
      m.model().embedAll(m.model().item(), ids, rows, out, EMBED_CHUNK);
    }
    return out;
  }

  /** The exact index over this block, embedded on first use in this JVM. */
  ExactIndex index(String key, LoadedModel m) {
    return BlockIndexes.get(key, this, m);
  }
}
