package org.sbcnm.training.sampling;

import org.sbcnm.engine.io.TensorBundle;

/**
 * Exact running frequencies, the oracle the streaming estimator approximates: p̂ⱼ = cⱼ / N with cⱼ
 * the occurrences of item j and N all occurrences in the batches seen so far (including the current
 * one). Memory is one long per item, so it needs a bounded catalogue. An item not seen yet gets the
 * floor 1 / N, as if it had occurred once; before the first batch every item has p̂ = 1.
 */
public final class ExactCounts implements SamplingProbabilities {
  private final long[] counts;
  private long total;

  public ExactCounts(int items) {
    if (items < 1) {
      throw new IllegalArgumentException("counts: need at least one item, got " + items);
    }
    counts = new long[items];
  }

  @Override
  public String name() {
    return "counts";
  }

  @Override
  public void observe(int[] items, int n, float[] logP) {
    for (int i = 0; i < n; i++) {
      counts[items[i]]++;
    }
    total += n;
    for (int i = 0; i < n; i++) {
      logP[i] = (float) logProbability(items[i]);
    }
  }

  @Override
  public double logProbability(int item) {
    if (total == 0) {
      return 0;
    }
    return Math.log((double) Math.max(1, counts[item]) / total);
  }

  /** {@inheritDoc} The total stays: the slots seen, items of the old catalogue included. */
  @Override
  public ExactCounts carriedTo(int[] oldIndex) {
    ExactCounts c = new ExactCounts(oldIndex.length);
    for (int j = 0; j < oldIndex.length; j++) {
      c.counts[j] = oldIndex[j] >= 0 ? counts[oldIndex[j]] : 0;
    }
    c.total = total;
    return c;
  }

  @Override
  public void save(TensorBundle bundle, String prefix) {
    bundle.meta(prefix + "kind", name());
    bundle.putLongs(prefix + "counts", counts, 1, counts.length);
    bundle.putLongs(prefix + "total", new long[] {total}, 1, 1);
  }

  @Override
  public void load(TensorBundle bundle, String prefix) {
    long[] c = bundle.longs(prefix + "counts");
    if (c.length != counts.length) {
      throw new IllegalArgumentException(
          "counts: saved for " + c.length + " items, this catalogue has " + counts.length);
    }
    System.arraycopy(c, 0, counts, 0, c.length);
    total = bundle.longs(prefix + "total")[0];
  }
}
