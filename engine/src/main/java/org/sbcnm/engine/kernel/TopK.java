package org.sbcnm.engine.kernel;

import java.util.Objects;
import org.sbcnm.engine.tensor.Tensor;

/**
 * Per-row top-K selection: the K largest scores of each row with their column indices, sorted by
 * score descending, ties broken by the smaller index.
 *
 * <p>A bounded min-heap holds the best K seen so far; the scan skips, a vector at a time ({@code
 * firstAbove}), every score that cannot beat the heap's worst. Once the heap is warm almost every
 * element is rejected that way, so the cost is close to one streaming pass. NaN scores are never
 * selected unless fewer than K non-NaN scores exist.
 */
public final class TopK {
  /** Largest K supported. */
  public static final int MAX_K = 1000;

  private static final ThreadLocal<Heap> HEAP = ThreadLocal.withInitial(Heap::new);

  /**
   * A running top-K over scores offered in pieces (blocks of a catalogue), with an optional sorted
   * exclusion list: the streaming form of {@link #select}. Reusable: {@link #reset} before each
   * query. Not thread-safe.
   */
  public static final class Accumulator {
    private final Heap heap = new Heap();
    private final FloatKernels impl = Kernels.impl();
    private int k;
    private int[] excluded = new int[0];
    private int excludedFrom;
    private int excludedTo;

    /**
     * Starts a new query keeping the best {@code k}; {@code excluded[from, to)} (ascending) never
     * enter.
     */
    public void reset(int k, int[] excluded, int from, int to) {
      checkK(k);
      this.k = k;
      heap.reset(k);
      this.excluded = excluded == null ? new int[0] : excluded;
      this.excludedFrom = excluded == null ? 0 : from;
      this.excludedTo = excluded == null ? 0 : to;
    }

    /** Offers scores[off, off+n) as items base .. base+n−1. */
    public void offer(float[] scores, int off, int n, int base) {
      Objects.checkFromIndexSize(off, n, scores.length);
      int end = off + n;
      int j = off;
      for (; j < end && heap.size < k; j++) {
        if (!isExcluded(base + j - off)) {
          heap.push(scores[j], base + j - off);
        }
      }
      while (j < end) {
        j = heap.next(impl, scores, j, end);
        if (j >= end) {
          break;
        }
        if (!isExcluded(base + j - off)) {
          heap.replaceWorst(scores[j], base + j - off);
        }
        j++;
      }
    }

    private boolean isExcluded(int item) {
      return excludedTo > excludedFrom
          && java.util.Arrays.binarySearch(excluded, excludedFrom, excludedTo, item) >= 0;
    }

    /**
     * Writes the best k found, sorted (index −1 and score −∞ past the count); returns the count.
     */
    public int drain(int[] idx, int idxOff, float[] vals, int valsOff) {
      return heap.drainSorted(idx, idxOff, vals, valsOff, k);
    }
  }

  private TopK() {}

  /**
   * Selects the top {@code k} of {@code x[off, off+n)}, writing indices (relative to off) and
   * scores to {@code idx[idxOff, idxOff+k)} and {@code vals[valsOff, valsOff+k)}; entries past the
   * {@code min(k, n)} found hold index -1 and score -∞. Modifies idx and vals. Returns the count
   * found.
   */
  public static int select(
      float[] x, int off, int n, int k, int[] idx, int idxOff, float[] vals, int valsOff) {
    checkK(k);
    Objects.checkFromIndexSize(off, n, x.length);
    Objects.checkFromIndexSize(idxOff, k, idx.length);
    Objects.checkFromIndexSize(valsOff, k, vals.length);
    return selectUnchecked(Kernels.impl(), x, off, n, k, idx, idxOff, vals, valsOff);
  }

  /**
   * Top {@code k} of every row of {@code scores} (float32), rows split across the kernel threads.
   * {@code idx} and {@code vals} are [rows · k], row-major; they are modified.
   */
  public static void rows(Tensor scores, int k, int[] idx, float[] vals) {
    checkK(k);
    if (!scores.isFloat32()) {
      throw new IllegalArgumentException("topK: float32 scores required, got " + scores.dtype());
    }
    int rows = scores.rows();
    int cols = scores.cols();
    if ((long) rows * k > idx.length || (long) rows * k > vals.length) {
      throw new IllegalArgumentException(
          "topK: outputs of "
              + idx.length
              + "/"
              + vals.length
              + " for "
              + scores.shape()
              + " k="
              + k);
    }
    FloatKernels impl = Kernels.impl();
    float[] x = scores.floats();
    int base = scores.offset();
    int chunks = rows < 64 ? 1 : Kernels.threads();
    Kernels.parallelFor(
        chunks,
        chunk -> {
          int from = (int) ((long) rows * chunk / chunks);
          int to = (int) ((long) rows * (chunk + 1) / chunks);
          for (int r = from; r < to; r++) {
            selectUnchecked(impl, x, base + r * cols, cols, k, idx, r * k, vals, r * k);
          }
        });
  }

  private static void checkK(int k) {
    if (k < 1 || k > MAX_K) {
      throw new IllegalArgumentException("topK: k must be in [1, " + MAX_K + "], got " + k);
    }
  }

  static int selectUnchecked(
      FloatKernels impl,
      float[] x,
      int off,
      int n,
      int k,
      int[] idx,
      int idxOff,
      float[] vals,
      int valsOff) {
    Heap h = HEAP.get();
    h.reset(k);
    int end = off + n;
    int j = off;
    // Fill the heap with the first k (non-NaN preferred) scores.
    for (; j < end && h.size < k; j++) {
      h.push(x[j], j - off);
    }
    while (true) {
      j = h.next(impl, x, j, end);
      if (j >= end) {
        break;
      }
      h.replaceWorst(x[j], j - off);
      j++;
    }
    return h.drainSorted(idx, idxOff, vals, valsOff, k);
  }

  /** Min-heap keyed by "worse": lower score, or equal score and larger index. */
  private static final class Heap {
    float[] score = new float[16];
    int[] index = new int[16];
    int size;

    void reset(int k) {
      if (score.length < k) {
        score = new float[k];
        index = new int[k];
      }
      size = 0;
    }

    /**
     * The first k in [j, end) whose score would enter the full heap: above the worst, or, while the
     * worst is NaN, any number (−∞ included, which ranks above NaN).
     */
    int next(FloatKernels impl, float[] x, int j, int end) {
      float worst = score[0];
      if (worst == worst) {
        return impl.firstAbove(x, j, end, worst);
      }
      for (; j < end; j++) {
        if (x[j] == x[j]) {
          return j;
        }
      }
      return end;
    }

    private boolean worse(int a, int b) {
      float sa = score[a];
      float sb = score[b];
      boolean naA = sa != sa;
      boolean naB = sb != sb;
      if (naA || naB) {
        return naA && (!naB || index[a] > index[b]);
      }
      return sa < sb || (sa == sb && index[a] > index[b]);
    }

    void push(float s, int i) {
      int c = size++;
      score[c] = s;
      index[c] = i;
      while (c > 0) {
        int p = (c - 1) >>> 1;
        if (!worse(c, p)) {
          break;
        }
        swap(c, p);
        c = p;
      }
    }

    void replaceWorst(float s, int i) {
      score[0] = s;
      index[0] = i;
      siftDown(0, size);
    }

    private void siftDown(int c, int n) {
      while (true) {
        int l = 2 * c + 1;
        if (l >= n) {
          return;
        }
        int w = l;
        if (l + 1 < n && worse(l + 1, l)) {
          w = l + 1;
        }
        if (!worse(w, c)) {
          return;
        }
        swap(c, w);
        c = w;
      }
    }

    private void swap(int a, int b) {
      float s = score[a];
      score[a] = score[b];
      score[b] = s;
      int i = index[a];
      index[a] = index[b];
      index[b] = i;
    }

    int drainSorted(int[] idx, int idxOff, float[] vals, int valsOff, int k) {
      int found = size;
      for (int r = found; r < k; r++) {
        idx[idxOff + r] = -1;
        vals[valsOff + r] = Float.NEGATIVE_INFINITY;
      }
      // Popping the worst repeatedly fills the output from the back.
      for (int n = found; n > 0; n--) {
        idx[idxOff + n - 1] = index[0];
        vals[valsOff + n - 1] = score[0];
        swap(0, n - 1);
        siftDown(0, n - 1);
      }
      return found;
    }
  }
}
