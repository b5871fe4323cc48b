package org.sbcnm.spark;

import java.io.Serializable;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.Row;
import org.sbcnm.engine.autograd.Tape;
import org.sbcnm.engine.kernel.Kernels;
import org.sbcnm.engine.tensor.Tensor;
import org.sbcnm.towers.tower.TowerBatch;
import org.sbcnm.training.retrieval.ExactIndex;
import org.sbcnm.training.retrieval.Exclusions;

/**
 * A chunk of users with their query embeddings [n, d], their held-out items and the training items
 * their rankings leave out (ascending per user; a held-out item that the user also trained on is
 * ranked, so that its rank is known, and left out of the recommendations later).
 */
final class QueryChunk implements Serializable {
  private static final long serialVersionUID = 1L;

  final long id;
  final int[] users;
  final int[] targets;
  final boolean[] repeated;
  final int[] leftOutPtr;
  final int[] leftOut;
  final int dim;
  final float[] queries;

  private QueryChunk(
      long id,
      int[] users,
      int[] targets,
      boolean[] repeated,
      int[] leftOutPtr,
      int[] leftOut,
      int dim,
      float[] queries) {
    this.id = id;
    this.users = users;
    this.targets = targets;
    this.repeated = repeated;
    this.leftOutPtr = leftOutPtr;
    this.leftOut = leftOut;
    this.dim = dim;
    this.queries = queries;
  }

  /**
   * Embeds the users of {@code rows} (columns u: long, seen: array of int ascending or null,
   * target: int or null) with the model's query tower.
   */
  static QueryChunk embed(long id, List<Row> rows, LoadedModel m) {
    int n = rows.size();
    int[] users = new int[n];
    int[] targets = new int[n];
    boolean[] repeated = new boolean[n];
    int[] ptr = new int[n + 1];
    int total = 0;
    for (int r = 0; r < n; r++) {
      Row row = rows.get(r);
      total += row.isNullAt(1) ? 0 : row.getList(1).size();
    }
    int[] left = new int[total];
    for (int r = 0; r < n; r++) {
      Row row = rows.get(r);
      users[r] = Math.toIntExact(row.getLong(0));
      targets[r] = row.isNullAt(2) ? -1 : row.getInt(2);
      int w = ptr[r];
      if (!row.isNullAt(1)) {
        List<Integer> seen = row.getList(1);
        for (Integer item : seen) {
          if (item == targets[r]) {
            repeated[r] = true;
          } else {
            left[w++] = item;
          }
        }
      }
      ptr[r + 1] = w;
    }
    int dim = m.model().config().query().outDim();
    float[] q = new float[n * dim];
    TowerBatch batch = new TowerBatch();
    m.encoder().fill(batch, users, 0, n);
    // A tower reuses its buffers from call to call (no garbage in training), so the tasks of one
    // executor take turns, as serve's request threads do.
    synchronized (m.model()) {
      try (Tape t = new Tape().begin()) {
        Tensor.wrap(q, n, dim).copyFrom(m.model().query().embed(t, batch).value());
      }
    }
    return new QueryChunk(id, users, targets, repeated, ptr, Arrays.copyOf(left, ptr[n]), dim, q);
  }

  int size() {
    return users.length;
  }

  /**
   * Scores the chunk against {@code items} [n, dim] as the exact index does ({@link
   * ExactIndex#QUERY_CHUNK} users by {@link ExactIndex#ITEM_BLOCK} items per GEMM call) and keeps
   * nothing: the scoring part of a search, timed on its own by profiling runs. Returns a checksum,
   * so that the work cannot be skipped.
   */
  float scoreOnly(Tensor items) {
    int n = items.rows();
    int m = size();
    float[] out = new float[ExactIndex.QUERY_CHUNK * ExactIndex.ITEM_BLOCK];
    float sum = 0;
    for (int from = 0; from < m; from += ExactIndex.QUERY_CHUNK) {
      int rows = Math.min(ExactIndex.QUERY_CHUNK, m - from);
      for (int b = 0; b < n; b += ExactIndex.ITEM_BLOCK) {
        int bn = Math.min(ExactIndex.ITEM_BLOCK, n - b);
        Kernels.gemm(
            false,
            true,
            rows,
            bn,
            dim,
            1f,
            queries,
            from * dim,
            dim,
            items.floats(),
            items.offset() + b * dim,
            dim,
            0f,
            out,
            0,
            bn);
        sum += out[0];
      }
    }
    return sum;
  }

  /**
   * The top {@code length} of every user against {@code index}, whose items are the catalogue's
   * [offset, offset + index.size()).
   */
  TopLists search(ExactIndex index, int offset, int length) {
    int n = size();
    int[] ptr = new int[n + 1];
    int[] local = new int[leftOut.length];
    int end = offset + index.size();
    for (int r = 0; r < n; r++) {
      int w = ptr[r];
      for (int p = leftOutPtr[r]; p < leftOutPtr[r + 1]; p++) {
        if (leftOut[p] >= offset && leftOut[p] < end) {
          local[w++] = leftOut[p] - offset;
        }
      }
      ptr[r + 1] = w;
    }
    int[] items = new int[n * length];
    float[] scores = new float[n * length];
    index.search(Tensor.wrap(queries, n, dim), length, new Exclusions(ptr, local), items, scores);
    if (offset != 0) {
      for (int j = 0; j < items.length; j++) {
        if (items[j] >= 0) {
          items[j] += offset;
        }
      }
    }
    return new TopLists(users, targets, repeated, length, items, scores);
  }
}
