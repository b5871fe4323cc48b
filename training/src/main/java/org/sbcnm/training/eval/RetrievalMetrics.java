package org.sbcnm.training.eval;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.sbcnm.datasets.split.HeldOutSplit;
import org.sbcnm.engine.autograd.Node;
import org.sbcnm.engine.autograd.Tape;
import org.sbcnm.engine.kernel.Kernels;
import org.sbcnm.engine.kernel.MatrixOps;
import org.sbcnm.engine.kernel.TopK;
import org.sbcnm.engine.tensor.Tensor;
import org.sbcnm.towers.tower.TowerBatch;
import org.sbcnm.towers.tower.TwoTowerModel;

/**
 * Full-catalogue evaluation of the held-out split (shared/FORMAT.md): each test user's items are
 * scored by ⟨u, v⟩ (no correction at inference), the user's training items are excluded, and the
 * 0-based rank r of the held-out item is the number of remaining items scoring higher, plus those
 * scoring equal with a smaller index.
 *
 * <pre>
 *   Recall@K = mean [r &lt; K]      NDCG@K = mean [r &lt; K] / log₂(r + 2)      MRR = mean 1/(r + 1)
 * </pre>
 *
 * (Hit rate equals Recall@K with one held-out item per user.)
 */
public final class RetrievalMetrics {
  /**
   * Test users scored per GEMM: the score block is [CHUNK, items] (51 MB for 50,000 items), and its
   * rows are ranked in parallel right after.
   */
  private static final int CHUNK = 256;

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
   */
  public static int[] ranks(
      TwoTowerModel model,
      HeldOutSplit split,
      Tensor items,
      QueryEncoder encoder,
      float[] adjustment,
      int listLength,
      int[] lists) {
    int numItems = items.rows();
    int[] users = split.testUsers();
    int[] targets = split.testItems();
    int[] ptr = split.userTrainPtr();
    int[] trainItems = split.userTrainItems();
    if (lists != null && (listLength < 1 || lists.length < (long) users.length * listLength)) {
      throw new IllegalArgumentException(
          "ranks: top lists of "
              + listLength
              + " need "
              + (long) users.length * listLength
              + " entries, got "
              + lists.length);
    }
    int[] ranks = new int[users.length];
    Tape tape = new Tape();
    TowerBatch batch = new TowerBatch();
    Tensor scores = Tensor.zeros(Math.min(CHUNK, Math.max(1, users.length)), numItems);
    float[] sc = scores.floats();
    ThreadLocal<TopLists> topLists = ThreadLocal.withInitial(() -> new TopLists(listLength));
    for (int s = 0; s < users.length; s += CHUNK) {
      int m = Math.min(CHUNK, users.length - s);
      encoder.fill(batch, users, s, m);
      try (Tape t = tape.begin()) {
        Node q = model.query().embed(t, batch);
        Tensor block = scores.rowRange(0, m);
        MatrixOps.gemm(false, true, 1.0, q.value(), items, 0.0, block);
      }
      int first = s;
      Kernels.parallelFor(
          m,
          r -> {
            int row = r * numItems;
            if (adjustment != null) {
              Kernels.add(sc, row, adjustment, 0, sc, row, numItems);
            }
            int u = users[first + r];
            ranks[first + r] =
                rank(sc, row, numItems, targets[first + r], trainItems, ptr[u], ptr[u + 1]);
            if (lists != null) {
              TopLists top = topLists.get();
              top.acc.reset(listLength, trainItems, ptr[u], ptr[u + 1]);
              top.acc.offer(sc, row, numItems, 0);
              top.acc.drain(lists, (first + r) * listLength, top.scores, 0);
            }
          });
    }
    return ranks;
  }

  /** One thread's running top list. */
  private static final class TopLists {
    final TopK.Accumulator acc = new TopK.Accumulator();
    final float[] scores;

    TopLists(int length) {
      scores = new float[Math.max(1, length)];
    }
  }

  /**
   * The 0-based rank of {@code target} in one score row {@code scores[row, row + numItems)}: how
   * many items score higher, or equal with a smaller index, leaving out the items {@code skip[from,
   * to)} (distinct; the target among them is kept). Two SIMD counts over the row, then a correction
   * for the few skipped items.
   */
  static int rank(float[] scores, int row, int numItems, int target, int[] skip, int from, int to) {
    float ts = scores[row + target];
    int rank =
        Kernels.countAbove(scores, row, row + target, ts, true)
            + Kernels.countAbove(scores, row + target + 1, row + numItems, ts, false);
    for (int p = from; p < to; p++) {
      int j = skip[p];
      float v = scores[row + j];
      if (j != target && (v > ts || (v == ts && j < target))) {
        rank--;
      }
    }
    return rank;
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
