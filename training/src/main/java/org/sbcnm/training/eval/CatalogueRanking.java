package org.sbcnm.training.eval;

import java.util.Arrays;
import org.sbcnm.datasets.split.HeldOutSplit;
import org.sbcnm.engine.kernel.Kernels;
import org.sbcnm.engine.kernel.TopK;
import org.sbcnm.engine.tensor.Tensor;

/**
 * The catalogue side of a full-catalogue ranking pass, shared by its tasks: the item embeddings,
 * the score adjustment, the users' training items to skip, the ranks and top lists to fill. One
 * task ranks up to {@value #QUERY_CHUNK} users against the catalogue in blocks of {@value
 * #ITEM_BLOCK} items, with per-thread buffers ({@code Scratch}).
 */
final class CatalogueRanking {
  /** Test users per task: one thread scores them against the whole catalogue, block by block. */
  static final int QUERY_CHUNK = 128;

  /** Items per score block: [QUERY_CHUNK, ITEM_BLOCK] floats (1 MB) stay in cache while counted. */
  static final int ITEM_BLOCK = 2048;

  private final Tensor items;
  private final float[] adjustment;
  private final int[] users;
  private final int[] targets;
  private final int[] ptr;
  private final int[] trainItems;
  private final int[] order;
  private final int[] ranks;
  private final int listLength;
  private final int[] lists;
  private final ThreadLocal<Scratch> scratch;

  CatalogueRanking(
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
   * Ranks the test users order[first, first + rows), whose query embeddings are rows [qRow, qRow +
   * rows) of {@code q}.
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
}
