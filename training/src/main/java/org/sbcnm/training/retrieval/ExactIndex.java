package org.sbcnm.training.retrieval;

import org.sbcnm.engine.kernel.Kernels;
import org.sbcnm.engine.kernel.TopK;
import org.sbcnm.engine.tensor.Tensor;

/**
 * Exact maximum-inner-product top-K over a catalogue of item embeddings [N, d] held in one
 * contiguous float block.
 *
 * <p>A batch of queries is cut into chunks of {@value #QUERY_CHUNK}; each chunk is scored against
 * the catalogue in blocks of {@value #ITEM_BLOCK} items by the engine's GEMM (S = Q·Vᵀ, so memory
 * stays bounded whatever N is) and every block is folded into a running per-query top-K ({@link
 * TopK.Accumulator}: a SIMD threshold scan, so most scores are rejected a vector at a time).
 * Excluded items are checked only for the few scores that pass the threshold. Chunks run on all
 * kernel threads. Results are sorted by score, ties by item index. With popularity control the
 * score is ⟨q, vⱼ⟩ + aⱼ for a fixed per-item term aⱼ (−β·log p̂ⱼ). Thread-safe once built.
 */
public final class ExactIndex {
  /** Queries per task, scored together by one thread. */
  public static final int QUERY_CHUNK = 128;

  /** Items per GEMM call: a task's scores [QUERY_CHUNK, ITEM_BLOCK] stay in cache. */
  public static final int ITEM_BLOCK = 2048;

  private final Tensor items;
  private final float[] adjustment;

  /** Indexes {@code items} [N, d] (float32, copied into one block). */
  public ExactIndex(Tensor items) {
    this(items.copy(), null);
  }

  private ExactIndex(Tensor items, float[] adjustment) {
    if (!items.isFloat32()) {
      throw new IllegalArgumentException("index: float32 embeddings required");
    }
    this.items = items;
    this.adjustment = adjustment;
  }

  /** The same catalogue scored ⟨q, vⱼ⟩ + adjustment[j] (see {@link PopularityControl}). */
  public ExactIndex withAdjustment(float[] perItem) {
    if (perItem != null && perItem.length != items.rows()) {
      throw new IllegalArgumentException(
          "index: " + perItem.length + " adjustments for " + items.rows() + " items");
    }
    return new ExactIndex(items, perItem == null ? null : perItem.clone());
  }

  public int size() {
    return items.rows();
  }

  public int dim() {
    return items.cols();
  }

  /** The embeddings (shared, not a copy; do not modify). */
  public Tensor embeddings() {
    return items;
  }

  /** Per-item score adjustment, or null. */
  float[] adjustment() {
    return adjustment;
  }

  /**
   * Top {@code k} items for every query row. Writes {@code outIdx}/{@code outScores} [queries · k]
   * row-major (index −1 and score −∞ where fewer than k items qualify).
   *
   * @param exclusions per-query excluded items, or null
   */
  public void search(
      Tensor queries, int k, Exclusions exclusions, int[] outIdx, float[] outScores) {
    int q = queries.rows();
    if (queries.cols() != items.cols() || !queries.isFloat32()) {
      throw new IllegalArgumentException(
          "index search: queries " + queries.shape() + " against items " + items.shape());
    }
    if (k < 1 || k > TopK.MAX_K) {
      throw new IllegalArgumentException(
          "index search: k must be in [1, " + TopK.MAX_K + "], got " + k);
    }
    if (outIdx.length < (long) q * k || outScores.length < (long) q * k) {
      throw new IllegalArgumentException(
          "index search: outputs too small for " + q + " queries x " + k);
    }
    if (exclusions != null && exclusions.ptr().length < q + 1) {
      throw new IllegalArgumentException(
          "index search: exclusions for "
              + (exclusions.ptr().length - 1)
              + " queries, "
              + q
              + " given");
    }
    int chunks = (q + QUERY_CHUNK - 1) / QUERY_CHUNK;
    Kernels.parallelFor(
        chunks,
        chunk ->
            searchChunk(
                queries,
                chunk * QUERY_CHUNK,
                Math.min(QUERY_CHUNK, q - chunk * QUERY_CHUNK),
                k,
                exclusions,
                outIdx,
                outScores));
  }

  private static final class Scratch {
    final float[] scores = new float[QUERY_CHUNK * ITEM_BLOCK];
    final TopK.Accumulator[] acc = new TopK.Accumulator[QUERY_CHUNK];

    Scratch() {
      for (int i = 0; i < acc.length; i++) {
        acc[i] = new TopK.Accumulator();
      }
    }
  }

  private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

  private void searchChunk(
      Tensor queries, int from, int m, int k, Exclusions ex, int[] outIdx, float[] outScores) {
    Scratch s = SCRATCH.get();
    int d = items.cols();
    int n = items.rows();
    for (int r = 0; r < m; r++) {
      int qr = from + r;
      if (ex == null) {
        s.acc[r].reset(k, null, 0, 0);
      } else {
        s.acc[r].reset(k, ex.items(), ex.ptr()[qr], ex.ptr()[qr + 1]);
      }
    }
    float[] qf = queries.floats();
    int qOff = queries.offset() + from * d;
    for (int b = 0; b < n; b += ITEM_BLOCK) {
      int bn = Math.min(ITEM_BLOCK, n - b);
      // S[m, bn] = Q_chunk · V_blockᵀ; the outer loop already runs one chunk per thread.
      Kernels.gemm(
          false,
          true,
          m,
          bn,
          d,
          1f,
          qf,
          qOff,
          d,
          items.floats(),
          items.offset() + b * d,
          d,
          0f,
          s.scores,
          0,
          bn);
      for (int r = 0; r < m; r++) {
        if (adjustment != null) {
          Kernels.add(s.scores, r * bn, adjustment, b, s.scores, r * bn, bn);
        }
        s.acc[r].offer(s.scores, r * bn, bn, b);
      }
    }
    for (int r = 0; r < m; r++) {
      s.acc[r].drain(outIdx, (from + r) * k, outScores, (from + r) * k);
    }
  }
}
