package org.sbcnm.engine.ops;

import org.sbcnm.engine.autograd.Node;
import org.sbcnm.engine.autograd.Op;
import org.sbcnm.engine.autograd.Tape;
import org.sbcnm.engine.param.Parameter;
import org.sbcnm.engine.tensor.Tensor;

/**
 * Embedding lookups from a table T [rows, d].
 *
 * <ul>
 *   <li>{@link #gather}: yᵣ = T[idᵣ]; backward dT[idᵣ] += gᵣ.
 *   <li>{@link #bagMean}: mean-pooled ragged bags, y_b = (1/|bag_b|) Σ_{id ∈ bag_b} T[id] with bag
 *       b = {@code ids[offsets[b] .. offsets[b+1])}; an empty bag gives a zero row; backward dT[id]
 *       += g_b / |bag_b|.
 * </ul>
 *
 * When T is a sparse-row parameter the backward writes only the rows it touches and marks them, so
 * the optimiser updates only those rows. The id arrays are referenced, not copied: keep them
 * unchanged until the backward pass is done.
 */
public final class Embedding implements Op {
  private static final Embedding GATHER = new Embedding("gather");
  private static final Embedding BAG_MEAN = new Embedding("bagMean");
  private final String name;

  private Embedding(String name) {
    this.name = name;
  }

  /** What the backward of {@link #gather} needs: row r came from ids[offset + r]. */
  private static final class Gathered {
    int[] ids;
    int offset;
  }

  /** What the backward of {@link #bagMean} needs: bag b is ids[offsets[b] .. offsets[b+1]). */
  private static final class Bags {
    int[] offsets;
    int[] ids;
  }

  /** Rows {@code table[ids[off + r]]} for r &lt; count, as a [count, d] node. */
  public static Node gather(Tape tape, Node table, int[] ids, int off, int count) {
    Tensor t = table.value();
    if (off < 0 || count < 0 || off + count > ids.length) {
      throw new IllegalArgumentException(
          "gather: ids [" + off + ", " + (off + count) + ") of " + ids.length);
    }
    Node y = tape.newNode(GATHER, t.dtype(), count, t.cols());
    y.addParent(table);
    Gathered saved = y.save(Gathered.class, Gathered::new);
    saved.ids = ids;
    saved.offset = off;
    Tensor out = y.value();
    int d = t.cols();
    for (int r = 0; r < count; r++) {
      int id = ids[off + r];
      checkId("gather", id, r, t.rows());
      if (t.isFloat32()) {
        System.arraycopy(t.floats(), t.offset() + id * d, out.floats(), out.offset() + r * d, d);
      } else {
        System.arraycopy(t.doubles(), t.offset() + id * d, out.doubles(), out.offset() + r * d, d);
      }
    }
    return y;
  }

  /**
   * Mean of each bag of rows: bag b is {@code ids[offsets[b] .. offsets[b+1])}; {@code offsets} has
   * {@code bags + 1} non-decreasing entries. Returns a [bags, d] node.
   */
  public static Node bagMean(Tape tape, Node table, int[] offsets, int bags, int[] ids) {
    Tensor t = table.value();
    if (bags < 0 || offsets.length < bags + 1) {
      throw new IllegalArgumentException(
          "bagMean: " + bags + " bags need " + (bags + 1) + " offsets, got " + offsets.length);
    }
    Node y = tape.newNode(BAG_MEAN, t.dtype(), bags, t.cols());
    y.addParent(table);
    Bags saved = y.save(Bags.class, Bags::new);
    saved.offsets = offsets;
    saved.ids = ids;
    Tensor out = y.value();
    out.fill(0);
    int d = t.cols();
    for (int b = 0; b < bags; b++) {
      int from = offsets[b];
      int to = offsets[b + 1];
      if (from < 0 || to < from || to > ids.length) {
        throw new IllegalArgumentException(
            "bagMean: bag " + b + " spans [" + from + ", " + to + ") of " + ids.length + " ids");
      }
      double inv = to > from ? 1.0 / (to - from) : 0.0;
      for (int k = from; k < to; k++) {
        int id = ids[k];
        checkId("bagMean", id, k, t.rows());
        addRow(t, id, out, b, inv, d);
      }
    }
    return y;
  }

  private static void checkId(String op, int id, int position, int rows) {
    if (id < 0 || id >= rows) {
      throw new IllegalArgumentException(
          op + ": id " + id + " at position " + position + " outside table of " + rows + " rows");
    }
  }

  /** dst[dr] += s · src[sr]. */
  private static void addRow(Tensor src, int sr, Tensor dst, int dr, double s, int d) {
    int so = src.offset() + sr * d;
    int dof = dst.offset() + dr * d;
    if (src.isFloat32()) {
      org.sbcnm.engine.kernel.Kernels.axpy((float) s, src.floats(), so, dst.floats(), dof, d);
    } else {
      double[] a = src.doubles();
      double[] o = dst.doubles();
      for (int j = 0; j < d; j++) {
        o[dof + j] += s * a[so + j];
      }
    }
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public void backward(Node y) {
    Node table = y.parent(0);
    if (!table.requiresGrad()) {
      return;
    }
    Parameter p = table.param();
    boolean sparse = p != null && p.sparseRows();
    Tensor dT = sparse ? p.grad() : table.gradForAccumulate();
    Tensor g = y.grad();
    int d = g.cols();
    if (this == GATHER) {
      Gathered saved = y.saved(Gathered.class);
      int[] ids = saved.ids;
      int off = saved.offset;
      for (int r = 0; r < y.rows(); r++) {
        int id = ids[off + r];
        if (sparse) {
          p.markRow(id);
        }
        addRow(g, r, dT, id, 1.0, d);
      }
    } else {
      Bags saved = y.saved(Bags.class);
      int[] offsets = saved.offsets;
      int[] ids = saved.ids;
      for (int b = 0; b < y.rows(); b++) {
        int from = offsets[b];
        int to = offsets[b + 1];
        for (int k = from; k < to; k++) {
          if (sparse) {
            p.markRow(ids[k]);
          }
          addRow(g, b, dT, ids[k], 1.0 / (to - from), d);
        }
      }
    }
  }
}
