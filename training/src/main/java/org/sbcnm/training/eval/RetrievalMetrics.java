package org.sbcnm.training.eval;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.sbcnm.datasets.split.HeldOutSplit;
import org.sbcnm.engine.autograd.Node;
import org.sbcnm.engine.autograd.Tape;
import org.sbcnm.engine.kernel.Kernels;
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
   * <p>The catalogue is scored in blocks of {@value CatalogueRanking#ITEM_BLOCK} items for {@value
   * CatalogueRanking#QUERY_CHUNK} users at a time, each task on one thread, so memory stays bounded
   * whatever the catalogue's size. A rank counts, block by block, the items that beat the target's
   * score, which must be known first: users are taken in the order of their target's block, and a
   * task first scores the few blocks holding its targets. That is the same GEMM call as in the
   * counting pass, so the target's score is the same to the last bit.
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
    int[] order = CatalogueRanking.byTargetBlock(targets);
    int[] orderedUsers = new int[users.length];
    for (int i = 0; i < order.length; i++) {
      orderedUsers[i] = users[order[i]];
    }
    int[] ranks = new int[users.length];
    CatalogueRanking catalogue =
        new CatalogueRanking(items, adjustment, split, order, ranks, listLength, lists);
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
            (m + CatalogueRanking.QUERY_CHUNK - 1) / CatalogueRanking.QUERY_CHUNK,
            task -> {
              int from = task * CatalogueRanking.QUERY_CHUNK;
              catalogue.rank(
                  q.value(), from, Math.min(CatalogueRanking.QUERY_CHUNK, m - from), first + from);
            });
      }
    }
    return ranks;
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
