package org.sbcnm.training.eval;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.sbcnm.datasets.split.HeldOutSplit;
import org.sbcnm.engine.autograd.Node;
import org.sbcnm.engine.autograd.Tape;
import org.sbcnm.engine.kernel.Kernels;
import org.sbcnm.engine.kernel.TopK;
import org.sbcnm.engine.tensor.Tensor;
import org.sbcnm.towers.tower.TowerBatch;
import org.sbcnm.towers.tower.TwoTowerModel;

/**
 * Full-catalogue evaluation of the held-out split (shared/FORMAT.md): each test user's items are
 * scored by ⟨u, v⟩ (no correction at inference), the user's training items are excluded, and the
 * 0-based rank r of the held-out item is the number of remaining items scoring at least as high:
 * ties count against the model, so a constant scorer ranks every target last, and a NaN target
 * score ranks last too.
 *
 * <pre>
 *   Recall@K = mean [r &lt; K]      NDCG@K = mean [r &lt; K] / log₂(r + 2)      MRR = mean 1/(r + 1)
 * </pre>
 *
 * (Hit rate equals Recall@K with one held-out item per user.)
 */
public final class RetrievalMetrics {
  /** Test users embedded per forward pass of the query tower. */
  private static final int EMBED_CHUNK = 1024;

  /** Test users per task: one thread scores them against the whole catalogue, block by block. */
  static final int QUERY_CHUNK = 128;

  /** Items per score block: [QUERY_CHUNK, ITEM_BLOCK] floats (1 MB) stay in cache while counted. */
  static final int ITEM_BLOCK = 2048;

  private RetrievalMetrics() {}

  /**
   * 0-based ranks of every test item (by test user order), against item embeddings already computed
   * ({@link TwoTowerModel#itemEmbeddings()}), scoring ⟨u, v⟩ + adjustment[j] (adjustment may be
   * null). The expensive part of an evaluation, reusable by callers.
   */
  public static int[] ranks(
      TwoTowerModel model,
      HeldOutSplit split,
      Tensor items,
      QueryEncoder encoder,
      float[] adjustment) {
    return ranks(model, split, items, encoder, adjustment, 0, null);
  }

  /**
   * The ranks as {@link #ranks(TwoTowerModel, HeldOutSplit, Tensor, QueryEncoder, float[])}, and
   * from the same scores each test user's top {@code listLength} items with every training item
   * left out ({@code lists} [users · listLength], sorted by score then index, −1 padded): one pass
   * over the catalogue serves both the accuracy and the exposure metrics.
   *
   * <p>The catalogue is scored in blocks of {@value #ITEM_BLOCK} items for {@value #QUERY_CHUNK}
   * users at a time, each task on one thread, so memory stays bounded whatever the catalogue's
   * size. A rank counts, block by block, the items that beat the target's score, which must be
   * known first: users are taken in the order of their target's block, and a task first scores the
   * few blocks holding its targets. That is the same GEMM call as in the counting pass, so the
   * target's score is the same to the last bit.
   */
  public static int[] ranks(
      TwoTowerModel model,
      HeldOutSplit split,
      Tensor items,
      QueryEncoder encoder,
      float[] adjustment,
      int listLength,
      int[] lists) {
    int[] users = split.testUsers();
    int[] targets = split.testItems();
    if (lists != null && (listLength < 1 || lists.length < (long) users.length * listLength)) {
      throw new IllegalArgumentException(
          "ranks: top lists of "
              + listLength
              + " need "
              + (long) users.length * listLength
              + " entries, got "
              + lists.length);
    }
    if (!items.isFloat32()) {
      throw new IllegalArgumentException("ranks: float32 item embeddings required");
    }
    if (adjustment != null && adjustment.length != items.rows()) {
      throw new IllegalArgumentException(
          "ranks: " + adjustment.length + " adjustments for " + items.rows() + " items");
    }
    int[] order = byTargetBlock(targets);
    int[] orderedUsers = new int[users.length];
    for (int i = 0; i < order.length; i++) {
      orderedUsers[i] = users[order[i]];
    }
    int[] ranks = new int[users.length];
    Catalogue catalogue = new Catalogue(items, adjustment, split, order, ranks, listLength, lists);
    Tape tape = new Tape();
    TowerBatch batch = new TowerBatch();
    for (int s = 0; s < users.length; s += EMBED_CHUNK) {
      int m = Math.min(EMBED_CHUNK, users.length - s);
      encoder.fill(batch, orderedUsers, s, m);
      try (Tape t = tape.begin()) {
        Node q = model.query().embed(t, batch);
        if (!q.value().isFloat32() || q.value().cols() != items.cols()) {
          throw new IllegalArgumentException(
              "ranks: float32 query embeddings of width "
                  + items.cols()
                  + " required, got "
                  + q.value().shape());
        }
        int first = s;
        Kernels.parallelFor(
            (m + QUERY_CHUNK - 1) / QUERY_CHUNK,
            task -> {
              int from = task * QUERY_CHUNK;
              catalogue.rank(q.value(), from, Math.min(QUERY_CHUNK, m - from), first + from);
            });
      }
    }
    return ranks;
  }

  /** Test indices ordered by the block of their target item (a stable counting sort). */
  static int[] byTargetBlock(int[] targets) {
    int blocks = 0;
    for (int t : targets) {
      blocks = Math.max(blocks, t / ITEM_BLOCK + 1);
    }
    int[] start = new int[blocks + 1];
    for (int t : targets) {
      start[t / ITEM_BLOCK + 1]++;
    }
    for (int b = 0; b < blocks; b++) {
      start[b + 1] += start[b];
    }
    int[] order = new int[targets.length];
    for (int i = 0; i < targets.length; i++) {
      order[start[targets[i] / ITEM_BLOCK]++] = i;
    }
    return order;
  }

  /** The catalogue side of a ranking pass, shared by its tasks; per-thread buffers in Scratch. */
  private static final class Catalogue {
    final Tensor items;
    final float[] adjustment;
    final int[] users;
    final int[] targets;
    final int[] ptr;
    final int[] trainItems;
    final int[] order;
    final int[] ranks;
    final int listLength;
    final int[] lists;
    final ThreadLocal<Scratch> scratch;

    Catalogue(
        Tensor items,
        float[] adjustment,
        HeldOutSplit split,
        int[] order,
        int[] ranks,
        int listLength,
        int[] lists) {
      this.items = items;
      this.adjustment = adjustment;
      this.users = split.testUsers();
      this.targets = split.testItems();
      this.ptr = split.userTrainPtr();
      this.trainItems = split.userTrainItems();
      this.order = order;
      this.ranks = ranks;
      this.listLength = listLength;
      this.lists = lists;
      this.scratch = ThreadLocal.withInitial(() -> new Scratch(listLength));
    }

    /**
     * Ranks the test users order[first, first + rows), whose query embeddings are rows [qRow, qRow
     * + rows) of {@code q}.
     */
    void rank(Tensor q, int qRow, int rows, int first) {
      Scratch sc = scratch.get();
      int n = items.rows();
      for (int r = 0; r < rows; r++) {
        sc.count[r] = 0;
        if (lists != null) {
          int u = users[order[first + r]];
          sc.acc[r].reset(listLength, trainItems, ptr[u], ptr[u + 1]);
        }
      }
      // The target scores, from the blocks that hold the targets (rows are in block order).
      for (int r = 0; r < rows; ) {
        int block = targets[order[first + r]] / ITEM_BLOCK;
        int b0 = block * ITEM_BLOCK;
        int bn = Math.min(ITEM_BLOCK, n - b0);
        score(q, qRow, rows, b0, bn, sc.scores);
        for (; r < rows && targets[order[first + r]] / ITEM_BLOCK == block; r++) {
          sc.targetScore[r] = sc.scores[r * bn + targets[order[first + r]] - b0];
        }
      }
      for (int b0 = 0; b0 < n; b0 += ITEM_BLOCK) {
        int bn = Math.min(ITEM_BLOCK, n - b0);
        score(q, qRow, rows, b0, bn, sc.scores);
        for (int r = 0; r < rows; r++) {
          int i = order[first + r];
          int u = users[i];
          int off = r * bn;
          sc.count[r] +=
              beating(sc.scores, off, bn, b0, targets[i], sc.targetScore[r])
                  - skippedBeating(
                      sc.scores,
                      off,
                      bn,
                      b0,
                      targets[i],
                      sc.targetScore[r],
                      trainItems,
                      ptr[u],
                      ptr[u + 1]);
          if (lists != null) {
            sc.acc[r].offer(sc.scores, off, bn, b0);
          }
        }
      }
      for (int r = 0; r < rows; r++) {
        int i = order[first + r];
        // A NaN target score beats nothing and is beaten by nothing: it ranks last, so that a
        // model that scores NaN never looks good.
        ranks[i] =
            Float.isNaN(sc.targetScore[r])
                ? candidatesBesides(targets[i], n, trainItems, ptr[users[i]], ptr[users[i] + 1])
                : sc.count[r];
        if (lists != null) {
          sc.acc[r].drain(lists, i * listLength, sc.listScores, 0);
        }
      }
    }

    /** out[rows, bn] = Q[qRow, qRow + rows) · V[b0, b0 + bn)ᵀ (+ adjustment[b0, b0 + bn)). */
    private void score(Tensor q, int qRow, int rows, int b0, int bn, float[] out) {
      int d = items.cols();
      Kernels.gemm(
          false,
          true,
          rows,
          bn,
          d,
          1f,
          q.floats(),
          q.offset() + qRow * d,
          d,
          items.floats(),
          items.offset() + b0 * d,
          d,
          0f,
          out,
          0,
          bn);
      if (adjustment != null) {
        for (int r = 0; r < rows; r++) {
          Kernels.add(out, r * bn, adjustment, b0, out, r * bn, bn);
        }
      }
    }
  }

  /** One thread's buffers for a task of up to {@value #QUERY_CHUNK} users. */
  private static final class Scratch {
    final float[] scores = new float[QUERY_CHUNK * ITEM_BLOCK];
    final float[] targetScore = new float[QUERY_CHUNK];
    final int[] count = new int[QUERY_CHUNK];
    final TopK.Accumulator[] acc;
    final float[] listScores;

    Scratch(int listLength) {
      acc = new TopK.Accumulator[listLength > 0 ? QUERY_CHUNK : 0];
      for (int r = 0; r < acc.length; r++) {
        acc[r] = new TopK.Accumulator();
      }
      listScores = new float[Math.max(1, listLength)];
    }
  }

  /**
   * The worst rank of a target among n items: every item but the target and the user's left-out
   * items {@code skip[from, to)} (ascending, distinct).
   */
  static int candidatesBesides(int target, int n, int[] skip, int from, int to) {
    boolean targetSkipped = Arrays.binarySearch(skip, from, to, target) >= 0;
    return n - 1 - (to - from) + (targetSkipped ? 1 : 0);
  }

  /**
   * How many items j of one block [base, base + n), j ≠ target, beat the target's score ts: score
   * at least as high (a tie counts against the model). Scores at s[off + j − base]. One SIMD count.
   */
  static int beating(float[] s, int off, int n, int base, int target, float ts) {
    int t = target - base;
    int atLeast = Kernels.countAbove(s, off, off + n, ts, true);
    // The target ties with itself (unless its score is NaN, which ties with nothing).
    return t >= 0 && t < n && s[off + t] >= ts ? atLeast - 1 : atLeast;
  }

  /**
   * How many of the left-out items {@code skip[from, to)} (ascending) fall in the block [base, base
   * + n), are not the target, and beat ts as in {@link #beating} (score at least ts).
   */
  static int skippedBeating(
      float[] s, int off, int n, int base, int target, float ts, int[] skip, int from, int to) {
    // The skipped items are distinct, so the search lands on base itself or where it would be.
    int p = Arrays.binarySearch(skip, from, to, base);
    if (p < 0) {
      p = -p - 1;
    }
    int count = 0;
    for (; p < to && skip[p] < base + n; p++) {
      int j = skip[p];
      float v = s[off + j - base];
      if (j != target && v >= ts) {
        count++;
      }
    }
    return count;
  }

  /** Recall@K, NDCG@K for every K, and MRR, from ranks. Keys "recall@10", "ndcg@10", "mrr". */
  public static Map<String, Double> fromRanks(int[] ranks, int[] ks) {
    Map<String, Double> out = new LinkedHashMap<>();
    int n = Math.max(1, ranks.length);
    int[] sorted = ks.clone();
    Arrays.sort(sorted);
    for (int k : sorted) {
      double hits = 0;
      double ndcg = 0;
      for (int r : ranks) {
        if (r < k) {
          hits++;
          ndcg += 1.0 / (Math.log(r + 2) / Math.log(2));
        }
      }
      out.put("recall@" + k, hits / n);
      out.put("ndcg@" + k, ndcg / n);
    }
    double mrr = 0;
    for (int r : ranks) {
      mrr += 1.0 / (r + 1);
    }
    out.put("mrr", mrr / n);
    return out;
  }
}
