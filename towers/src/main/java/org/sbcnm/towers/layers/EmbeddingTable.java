package org.sbcnm.towers.layers;

import java.util.List;
import java.util.SplittableRandom;
import org.sbcnm.engine.autograd.Node;
import org.sbcnm.engine.autograd.Tape;
import org.sbcnm.engine.ops.Embedding;
import org.sbcnm.engine.param.Init;
import org.sbcnm.engine.param.Parameter;
import org.sbcnm.engine.param.Seeds;
import org.sbcnm.engine.tensor.DType;
import org.sbcnm.engine.tensor.Tensor;

/**
 * An embedding table [rows, dim] with sparse row gradients, initialised N(0, σ²) (torch's {@code
 * nn.Embedding} default σ = 1).
 *
 * <p>In <em>direct</em> mode an id is a row index in [0, rows). In <em>hashed</em> mode any 64-bit
 * key (the hash of a raw id, including ids never seen in training or from an unbounded space) maps
 * to bucket {@code mix64(key ⊕ seed) mod rows}, with mix64 the SplitMix64 finaliser, so the table
 * size is fixed whatever the id space. Hashed rows go to buffers the table reuses, one for {@link
 * #lookup} and one for {@link #bagMean}: call each at most once per tape scope, from one thread.
 */
public final class EmbeddingTable implements Layer {
  private final Parameter table;
  private final boolean hashed;
  private final long seed;
  private int[] lookupRows = new int[0];
  private int[] bagRows = new int[0];

  private EmbeddingTable(Parameter table, boolean hashed, long seed) {
    this.table = table;
    this.hashed = hashed;
    this.seed = seed;
  }

  /** A table indexed directly by row. */
  public static EmbeddingTable direct(
      String name, int rows, int dim, double std, DType type, SplittableRandom rng) {
    return new EmbeddingTable(newTable(name, rows, dim, std, type, rng), false, 0);
  }

  /** A table of {@code buckets} rows indexed by a seeded hash of the id. */
  public static EmbeddingTable hashed(
      String name,
      int buckets,
      int dim,
      double std,
      long hashSeed,
      DType type,
      SplittableRandom rng) {
    return new EmbeddingTable(newTable(name, buckets, dim, std, type, rng), true, hashSeed);
  }

  private static Parameter newTable(
      String name, int rows, int dim, double std, DType type, SplittableRandom rng) {
    if (rows < 1 || dim < 1) {
      throw new IllegalArgumentException(
          name + ": embedding needs rows, dim >= 1, got [" + rows + ", " + dim + "]");
    }
    Tensor t = Tensor.zeros(type, rows, dim);
    Init.normal(t, std, rng);
    return new Parameter(name, t, true);
  }

  /** The row an id (direct) or a key (hashed, any value) maps to. */
  public int row(long id) {
    if (!hashed) {
      if (id < 0 || id >= table.rows()) {
        throw new IllegalArgumentException(
            table.name() + ": id " + id + " outside table of " + table.rows() + " rows");
      }
      return (int) id;
    }
    return (int) Long.remainderUnsigned(Seeds.mix64(id ^ seed), table.rows());
  }

  /** Rows for {@code ids[off, off+n)} as an [n, dim] node. */
  public Node lookup(Tape t, int[] ids, int off, int n) {
    if (!hashed) {
      return Embedding.gather(t, t.param(table), ids, off, n);
    }
    lookupRows = hashInto(ids, off, n, lookupRows);
    return Embedding.gather(t, t.param(table), lookupRows, 0, n);
  }

  /** Rows of the keys {@code keys[0, n)} of a hashed table as an [n, dim] node. */
  public Node lookupKeys(Tape t, long[] keys, int n) {
    if (!hashed) {
      throw new IllegalStateException(table.name() + ": keys need a hashed table");
    }
    if (lookupRows.length < n) {
      lookupRows = new int[Math.max(n, 2 * lookupRows.length)];
    }
    for (int k = 0; k < n; k++) {
      lookupRows[k] = row(keys[k]);
    }
    return Embedding.gather(t, t.param(table), lookupRows, 0, n);
  }

  /**
   * Mean of each bag {@code ids[offsets[b] .. offsets[b+1])}, b &lt; bags, as a [bags, dim] node.
   */
  public Node bagMean(Tape t, int[] offsets, int bags, int[] ids) {
    if (!hashed) {
      return Embedding.bagMean(t, t.param(table), offsets, bags, ids);
    }
    bagRows = hashInto(ids, 0, bags == 0 ? 0 : offsets[bags], bagRows);
    return Embedding.bagMean(t, t.param(table), offsets, bags, bagRows);
  }

  private int[] hashInto(int[] ids, int off, int n, int[] out) {
    int[] rows = out.length >= n ? out : new int[Math.max(n, 2 * out.length)];
    for (int k = 0; k < n; k++) {
      rows[k] = row(ids[off + k]);
    }
    return rows;
  }

  public boolean isHashed() {
    return hashed;
  }

  public int rows() {
    return table.rows();
  }

  public int dim() {
    return table.cols();
  }

  /** The table as a leaf on the tape (for towers that transform the whole table, e.g. GCN). */
  public Node all(Tape t) {
    return t.param(table);
  }

  public Parameter table() {
    return table;
  }

  @Override
  public List<Parameter> parameters() {
    return List.of(table);
  }
}
