package org.sbcnm.training.loss;

import java.util.Arrays;
import org.sbcnm.engine.autograd.Node;
import org.sbcnm.engine.autograd.Tape;
import org.sbcnm.engine.kernel.TopK;
import org.sbcnm.engine.ops.Concat;
import org.sbcnm.engine.ops.MatMul;
import org.sbcnm.engine.ops.SoftmaxCrossEntropy;
import org.sbcnm.engine.tensor.BitMatrix;
import org.sbcnm.engine.tensor.DType;
import org.sbcnm.engine.tensor.Tensor;

/**
 * Batch softmax with sampling-bias correction (Yi et al., RecSys 2019, eqs. 3–4).
 *
 * <p>For B queries u [B, d] and N ≥ B item columns v [N, d] (column i &lt; B is row i's positive,
 * columns ≥ B are extra negatives), all L2-normalised:
 *
 * <pre>
 *   sᵢⱼ = ⟨uᵢ, vⱼ⟩ / τ                     logits [B, N]
 *   sᶜᵢⱼ = sᵢⱼ − log qⱼ                    logQ correction, every column, positive included
 *   L = Σᵢ wᵢ · (−log softmax_{j ∉ Mᵢ}(sᶜᵢ)ᵢ) / Σᵢ wᵢ
 * </pre>
 *
 * The row mask Mᵢ holds (a) accidental hits: columns j ≠ i whose item equals row i's positive (they
 * are not negatives), and (b) with hard-negative mining (k &gt; 0), every negative but the k with
 * the largest corrected logit. Buffers are reused: one instance per training thread.
 */
public final class BatchSoftmaxLoss {
  private final double temperature;
  private final boolean maskAccidentalHits;
  private final int hardNegatives;
  private final BitMatrix mask = new BitMatrix();
  private Tensor columnTerm = Tensor.zeros(1, 1);
  private float[] rowScratch = new float[0];
  private int[] topIdx = new int[0];
  private float[] topVals = new float[0];
  private boolean[] keep = new boolean[0];
  private long[] itemColumn = new long[0];
  private int[] targets = new int[0];
  private Tensor[] distinctTerms = new Tensor[0];
  private float[] distinctTermValues = new float[0];

  /**
   * @param temperature τ &gt; 0
   * @param maskAccidentalHits whether to drop columns holding row i's own item
   * @param hardNegatives k &gt; 0 keeps only the k hardest negatives per row; 0 keeps all
   */
  public BatchSoftmaxLoss(double temperature, boolean maskAccidentalHits, int hardNegatives) {
    if (!(temperature > 0) || Double.isInfinite(temperature)) {
      throw new IllegalArgumentException("temperature must be finite and > 0, got " + temperature);
    }
    if (hardNegatives < 0 || hardNegatives > TopK.MAX_K) {
      throw new IllegalArgumentException(
          "hard_negatives must be in [0, " + TopK.MAX_K + "], got " + hardNegatives);
    }
    this.temperature = temperature;
    this.maskAccidentalHits = maskAccidentalHits;
    this.hardNegatives = hardNegatives;
  }

  /**
   * The loss node.
   *
   * @param q query embeddings [B, d]
   * @param v item embeddings [N, d], N ≥ B, positives first
   * @param columnItems item index of each column (≥ N entries), for accidental-hit masking
   * @param logQ log qⱼ of each column (≥ N entries), or null for no correction
   * @param rowWeights wᵢ as [B, 1], or null for 1
   */
  public Node apply(Tape t, Node q, Node v, int[] columnItems, float[] logQ, Tensor rowWeights) {
    int b = q.rows();
    int n = v.rows();
    if (n < b) {
      throw new IllegalArgumentException(
          "batch softmax: " + n + " item columns for " + b + " queries");
    }
    Node logits = MatMul.apply(t, q, v, false, true, 1.0 / temperature);
    Tensor c = null;
    if (logQ != null) {
      c = columnTerm(logits.dtype(), n);
      float[] ct = c.floats();
      for (int j = 0; j < n; j++) {
        if (ct != null) {
          ct[j] = -logQ[j];
        } else {
          c.setFlat(j, -logQ[j]);
        }
      }
    }
    BitMatrix m = null;
    if (maskAccidentalHits || hardNegatives > 0) {
      mask.reset(b, n);
      m = mask;
      if (maskAccidentalHits) {
        maskAccidentalHits(columnItems, b, n);
      }
      if (hardNegatives > 0 && hardNegatives < n - 1) {
        keepHardest(logits.value(), c, b, n);
      }
    }
    return SoftmaxCrossEntropy.apply(t, logits, null, rowWeights, c, m);
  }

  /**
   * The same loss with one column per distinct item (eq. 3 of the paper over the batch's columns,
   * each distinct column counted as often as it occurs): value and gradients are those of {@link
   * #apply} on the full columns, each distinct column's gradient the sum over its copies, up to
   * rounding. Not with hard-negative mining, which needs every column.
   *
   * <p>Column d stands for nd columns: every row's softmax counts it nd times, except that with
   * accidental-hit masking row i's own item counts once (its other copies are hits). Padding
   * columns get probability 0.
   *
   * @param q query embeddings [B, d]
   * @param v item embeddings of the distinct columns [columns.size(), d]
   * @param columns the batch's columns grouped; column i &lt; B is row i's positive
   * @param rowWeights wᵢ as [B, 1], or null for 1
   */
  public Node applyDistinct(Tape t, Node q, Node v, DistinctColumns columns, Tensor rowWeights) {
    if (hardNegatives > 0) {
      throw new IllegalStateException("distinct columns: not with hard_negatives > 0");
    }
    int b = q.rows();
    int n = columns.size();
    if (v.rows() != n) {
      throw new IllegalArgumentException(
          "batch softmax: " + v.rows() + " item rows for " + n + " distinct columns");
    }
    Node logits = MatMul.apply(t, q, v, false, true, 1.0 / temperature);
    if (targets.length < b) {
      targets = new int[b];
    }
    System.arraycopy(columns.distinctOf(), 0, targets, 0, b);
    float[] lq = columns.logQ();
    Tensor c = null;
    if (lq != null || columns.distinct() < n) {
      c = distinctTerm(logits.dtype(), n);
      for (int j = 0; j < n; j++) {
        double term = columns.isPadding(j) ? Double.NEGATIVE_INFINITY : lq == null ? 0 : -lq[j];
        c.setFlat(j, term);
      }
    }
    BitMatrix m = null;
    if (maskAccidentalHits && columns.itemRepeats()) {
      // The same item in two distinct columns (different log q): the other one holds hits.
      int[] items = columns.items();
      mask.reset(b, n);
      m = mask;
      for (int i = 0; i < b; i++) {
        for (int j = 0; j < columns.distinct(); j++) {
          if (j != targets[i] && items[j] == items[targets[i]]) {
            mask.set(i, j);
          }
        }
      }
    }
    return SoftmaxCrossEntropy.apply(
        t, logits, targets, rowWeights, c, m, columns.counts(), maskAccidentalHits);
  }

  /**
   * The batch softmax with the rows of a {@link CrossBatchMemory} as M more negative columns after
   * the batch's N (constants: no gradient reaches them). Column terms and masks as in {@link
   * #apply}: a stored row is corrected by −log qⱼ of its item, and with accidental-hit masking a
   * stored row holding row i's positive item is masked for row i. Not with hard negatives.
   *
   * <pre>
   *   sᵢⱼ = ⟨uᵢ, vⱼ⟩/τ − log qⱼ over j ∈ [0, N) (batch) ∪ [N, N + M) (memory)
   * </pre>
   *
   * @param memoryLogQ log qⱼ of each stored row (≥ M entries), or null for no correction
   */
  public Node applyWithMemory(
      Tape t,
      Node q,
      Node v,
      int[] columnItems,
      float[] logQ,
      CrossBatchMemory memory,
      float[] memoryLogQ,
      Tensor rowWeights) {
    if (hardNegatives > 0) {
      throw new IllegalStateException("cross-batch memory: not with hard_negatives > 0");
    }
    int stored = memory.size();
    if (stored == 0) {
      return apply(t, q, v, columnItems, logQ, rowWeights);
    }
    int b = q.rows();
    int n = v.rows();
    if (n < b) {
      throw new IllegalArgumentException(
          "batch softmax: " + n + " item columns for " + b + " queries");
    }
    Node logits =
        Concat.columns(
            t,
            MatMul.apply(t, q, v, false, true, 1.0 / temperature),
            MatMul.apply(t, q, t.constant(memory.embeddings()), false, true, 1.0 / temperature));
    Tensor c = null;
    if (logQ != null) {
      c = columnTerm(logits.dtype(), n + stored);
      for (int j = 0; j < n + stored; j++) {
        c.setFlat(j, -(j < n ? logQ[j] : memoryLogQ[j - n]));
      }
    }
    BitMatrix m = null;
    if (maskAccidentalHits) {
      mask.reset(b, n + stored);
      m = mask;
      maskAccidentalHits(columnItems, b, n);
      memory.maskHits(mask, columnItems, b, n);
    }
    return SoftmaxCrossEntropy.apply(t, logits, null, rowWeights, c, m);
  }

  /**
   * The full softmax over the catalogue: every item is one column, so there is nothing sampled to
   * correct and no accidental hit to mask.
   *
   * <pre>
   *   L = Σᵢ wᵢ · (−log softmax(uᵢ · Vᵀ / τ)_{posᵢ}) / Σᵢ wᵢ       V: every item [N, d]
   * </pre>
   *
   * @param q query embeddings [B, d]
   * @param v every item's embedding, in item order [N, d]
   * @param positives row i's item index at {@code positives[i]}, i &lt; B
   * @param rowWeights wᵢ as [B, 1], or null for 1
   */
  public Node applyCatalogue(Tape t, Node q, Node v, int[] positives, Tensor rowWeights) {
    if (hardNegatives > 0) {
      throw new IllegalStateException("full softmax: not with hard_negatives > 0");
    }
    int b = q.rows();
    if (targets.length < b) {
      targets = new int[b];
    }
    for (int i = 0; i < b; i++) {
      if (positives[i] < 0 || positives[i] >= v.rows()) {
        throw new IllegalArgumentException(
            "full softmax: item " + positives[i] + " outside a catalogue of " + v.rows());
      }
      targets[i] = positives[i];
    }
    Node logits = MatMul.apply(t, q, v, false, true, 1.0 / temperature);
    return SoftmaxCrossEntropy.apply(t, logits, targets, rowWeights, null, null);
  }

  /** The reused [1, n] column-term tensor of the given type (reallocated when either changes). */
  private Tensor columnTerm(DType type, int n) {
    if (columnTerm.cols() != n || columnTerm.dtype() != type) {
      columnTerm = Tensor.zeros(type, 1, n);
    }
    return columnTerm;
  }

  /** A [1, n] column-term tensor of the given type, one reused view per width. */
  private Tensor distinctTerm(DType type, int n) {
    if (distinctTerms.length <= n) {
      distinctTerms = Arrays.copyOf(distinctTerms, n + 1);
      distinctTermValues = new float[n];
      Arrays.fill(distinctTerms, null);
    }
    Tensor v = distinctTerms[n];
    if (v == null || v.dtype() != type) {
      v =
          type == DType.FLOAT32
              ? Tensor.wrap(distinctTermValues, 0, 1, n)
              : Tensor.zeros(DType.FLOAT64, 1, n);
      distinctTerms[n] = v;
    }
    return v;
  }

  /**
   * Sets M[i, j] for every row i &lt; b and column j ≠ i holding row i's item. Sorting (item,
   * column) pairs finds the repeated items in O(n log n) instead of comparing all b·n pairs.
   */
  private void maskAccidentalHits(int[] columnItems, int b, int n) {
    if (itemColumn.length < n) {
      itemColumn = new long[n];
    }
    for (int j = 0; j < n; j++) {
      itemColumn[j] = ((long) columnItems[j] << 32) | j;
    }
    Arrays.sort(itemColumn, 0, n);
    int start = 0;
    while (start < n) {
      int item = (int) (itemColumn[start] >> 32);
      int end = start + 1;
      while (end < n && (int) (itemColumn[end] >> 32) == item) {
        end++;
      }
      for (int x = start; x < end; x++) {
        int i = (int) itemColumn[x];
        if (i >= b) {
          continue;
        }
        for (int y = start; y < end; y++) {
          int j = (int) itemColumn[y];
          if (j != i) {
            mask.set(i, j);
          }
        }
      }
      start = end;
    }
  }

  /** Masks every negative of each row except the k with the largest corrected logit. */
  private void keepHardest(Tensor logits, Tensor c, int b, int n) {
    int k = hardNegatives;
    if (rowScratch.length < n) {
      rowScratch = new float[n];
      keep = new boolean[n];
    }
    if (topIdx.length < k) {
      topIdx = new int[k];
      topVals = new float[k];
    }
    for (int i = 0; i < b; i++) {
      for (int j = 0; j < n; j++) {
        boolean candidate = j != i && !mask.get(i, j);
        rowScratch[j] =
            candidate
                ? (float) (logits.getFlat(i * n + j) + (c == null ? 0 : c.getFlat(j)))
                : Float.NEGATIVE_INFINITY;
        keep[j] = false;
      }
      int found = TopK.select(rowScratch, 0, n, k, topIdx, 0, topVals, 0);
      for (int r = 0; r < found; r++) {
        if (topVals[r] != Float.NEGATIVE_INFINITY) {
          keep[topIdx[r]] = true;
        }
      }
      for (int j = 0; j < n; j++) {
        if (j != i && !keep[j] && !mask.get(i, j)) {
          mask.set(i, j);
        }
      }
    }
  }
}
