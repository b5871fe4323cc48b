package org.sbcnm.training.sampling;

import java.util.Arrays;
import org.sbcnm.engine.io.TensorBundle;
import org.sbcnm.engine.param.Seeds;

/**
 * The streaming frequency estimator of Yi et al., "Sampling-Bias-Corrected Neural Modeling for
 * Large Corpus Item Recommendations", RecSys 2019: Algorithm 2 (one hash, m = 1) and Algorithm 3 (m
 * hashes).
 *
 * <p>State: for each of m hash functions hₖ, arrays Aₖ (the step an item's bucket was last seen)
 * and Bₖ (the estimated gap between sightings, i.e. 1/p) of H buckets each, and the global step t.
 * Per training batch, t ← t + 1, then for every item occurrence j in batch order and every k:
 *
 * <pre>
 *   Bₖ[hₖ(j)] ← (1 − α)·Bₖ[hₖ(j)] + α·(t − Aₖ[hₖ(j)]);   Aₖ[hₖ(j)] ← t
 * </pre>
 *
 * and after the whole batch the item's rate is rⱼ = 1 / maxₖ Bₖ[hₖ(j)] occurrences per step
 * (collisions only shorten gaps, so the largest is the least contaminated). A second occurrence in
 * one batch sees a gap of 0. A and B start at 0.
 *
 * <p>The rate is the paper's p̂; {@link #logProbability} speaks the unit every {@link
 * SamplingProbabilities} speaks, the probability that one batch slot holds item j: p̂ⱼ = rⱼ / s̄
 * with s̄ = (slots observed) / t the mean batch size. An item whose buckets were never seen is
 * given the largest gap the estimator can hold, t (one occurrence in all t steps), so p̂ⱼ = 1 /
 * (slots observed), the floor of every estimate; before the first batch every item has p̂ = 1.
 *
 * <p>Hashes: hₖ(j) = ((j · Mₖ) mod 2³²) ≫ (32 − log₂H), multiplicative hashing with odd 32-bit
 * multipliers. With seed 0 the first multiplier is Knuth's 2654435761, the hash of the PyTorch
 * reference; other multipliers come from SplitMix64 of (seed, k). A is kept as long, so t may grow
 * without bound; B in double.
 */
public final class StreamingFrequencyEstimator implements SamplingProbabilities {
  /** Knuth's multiplicative constant ⌊2³²/φ⌋, odd. */
  public static final long KNUTH = 2654435761L;

  private final int buckets;
  private final int bits;
  private final int hashes;
  private final double alpha;
  private final long seed;
  private final long[] multipliers;
  private final long[] lastSeen;
  private final double[] gap;
  private long step;
  private long slots;

  /**
   * @param buckets H, buckets per hash function, a power of two
   * @param hashes m ≥ 1
   * @param alpha learning rate α in (0, 1]
   * @param seed selects the hash functions (0 = the reference hash for the first one)
   */
  public StreamingFrequencyEstimator(int buckets, int hashes, double alpha, long seed) {
    if (buckets < 1 || Integer.bitCount(buckets) != 1) {
      throw new IllegalArgumentException("hash_buckets must be a power of two, got " + buckets);
    }
    if (hashes < 1 || (long) buckets * hashes > (1L << 28)) {
      throw new IllegalArgumentException(
          "hashes must be >= 1 with hashes * buckets <= 2^28, got " + hashes + " x " + buckets);
    }
    if (!(alpha > 0 && alpha <= 1)) {
      throw new IllegalArgumentException("alpha must be in (0, 1], got " + alpha);
    }
    this.buckets = buckets;
    this.bits = Integer.numberOfTrailingZeros(buckets);
    this.hashes = hashes;
    this.alpha = alpha;
    this.seed = seed;
    this.multipliers = new long[hashes];
    for (int k = 0; k < hashes; k++) {
      multipliers[k] = multiplier(seed, k);
    }
    this.lastSeen = new long[hashes * buckets];
    this.gap = new double[hashes * buckets];
  }

  /** Algorithm 2 with the paper's defaults: H = 2²⁰, α = 0.01, one hash. */
  public static StreamingFrequencyEstimator defaults() {
    return new StreamingFrequencyEstimator(1 << 20, 1, 0.01, 0);
  }

  static long multiplier(long seed, int k) {
    if (seed == 0 && k == 0) {
      return KNUTH;
    }
    long z = Seeds.mix64(seed * 0x9E3779B97F4A7C15L + (k + 1) * 0xBF58476D1CE4E5B9L);
    return (z & 0xFFFFFFFFL) | 1L;
  }

  /** Bucket of item j under hash k. */
  public int bucket(int k, int item) {
    return (int) ((((long) item * multipliers[k]) & 0xFFFFFFFFL) >>> (32 - bits));
  }

  @Override
  public String name() {
    return "streaming";
  }

  public long step() {
    return step;
  }

  public int buckets() {
    return buckets;
  }

  public int hashes() {
    return hashes;
  }

  public double alpha() {
    return alpha;
  }

  /** Records one batch (t ← t + 1 and the per-occurrence updates). */
  public void update(int[] items, int n) {
    if (slots < 0) {
      // State loaded from a checkpoint that did not record its slots: take the batch size as
      // the mean from here on.
      slots = step * n;
    }
    slots += n;
    long t = ++step;
    double keep = 1.0 - alpha;
    for (int i = 0; i < n; i++) {
      int item = items[i];
      if (item < 0) {
        throw new IllegalArgumentException(
            "estimator: negative item index " + item + " at position " + i);
      }
      for (int k = 0; k < hashes; k++) {
        int h = k * buckets + bucket(k, item);
        gap[h] = keep * gap[h] + alpha * (t - lastSeen[h]);
        lastSeen[h] = t;
      }
    }
  }

  /** The estimated gap 1/p̂ of an item: the largest over the hash functions (0 if never seen). */
  public double gap(int item) {
    double g = 0;
    for (int k = 0; k < hashes; k++) {
      g = Math.max(g, gap[k * buckets + bucket(k, item)]);
    }
    return g;
  }

  /**
   * The paper's p̂ of an item: its rate in occurrences per step, 1 / gap (+∞ for an item never
   * seen).
   */
  public double rate(int item) {
    return 1.0 / gap(item);
  }

  /** Batch slots observed so far: the sum of the batch sizes of every {@link #update}. */
  public long slots() {
    return slots;
  }

  /**
   * log p̂ⱼ per batch slot: −log(gap · s̄) with s̄ the mean batch size, a never-seen item taking
   * the gap t; 0 before the first batch.
   */
  @Override
  public double logProbability(int item) {
    if (step == 0) {
      return 0;
    }
    double g = gap(item);
    double meanSlots = slots > 0 ? (double) slots / step : 1;
    return -Math.log((g > 0 ? g : step) * meanSlots);
  }

  @Override
  public void observe(int[] items, int n, float[] logP) {
    update(items, n);
    for (int i = 0; i < n; i++) {
      logP[i] = (float) logProbability(items[i]);
    }
  }

  @Override
  public void save(TensorBundle bundle, String prefix) {
    bundle.meta(prefix + "kind", name());
    bundle.meta(prefix + "buckets", Integer.toString(buckets));
    bundle.meta(prefix + "hashes", Integer.toString(hashes));
    bundle.meta(prefix + "alpha", Double.toString(alpha));
    bundle.meta(prefix + "seed", Long.toString(seed));
    bundle.putLongs(prefix + "A", lastSeen, hashes, buckets);
    bundle.putDoubles(prefix + "B", gap);
    bundle.putLongs(prefix + "t", new long[] {step}, 1, 1);
    bundle.putLongs(prefix + "slots", new long[] {slots}, 1, 1);
  }

  @Override
  public void load(TensorBundle bundle, String prefix) {
    String want = buckets + "/" + hashes + "/" + alpha + "/" + seed;
    String got =
        bundle.meta(prefix + "buckets")
            + "/"
            + bundle.meta(prefix + "hashes")
            + "/"
            + bundle.meta(prefix + "alpha")
            + "/"
            + bundle.meta(prefix + "seed");
    if (!want.equals(got)) {
      throw new IllegalArgumentException(
          "estimator: saved state is for buckets/hashes/alpha/seed "
              + got
              + ", this one is "
              + want);
    }
    long[] a = bundle.longs(prefix + "A");
    double[] b = bundle.doubles(prefix + "B");
    long[] t = bundle.longs(prefix + "t");
    long[] s = bundle.has(prefix + "slots") ? bundle.longs(prefix + "slots") : new long[] {-1};
    if (a.length != lastSeen.length || b.length != gap.length || t.length != 1 || s.length != 1) {
      throw new IllegalArgumentException(
          "estimator: saved arrays of "
              + a.length
              + " and "
              + b.length
              + " buckets, expected "
              + lastSeen.length);
    }
    for (int k = 0; k < a.length; k++) {
      if (a[k] < 0 || a[k] > t[0] || !(b[k] >= 0) || Double.isInfinite(b[k])) {
        throw new IllegalArgumentException(
            "estimator: saved bucket "
                + k
                + " (A = "
                + a[k]
                + ", B = "
                + b[k]
                + ") is impossible at step "
                + t[0]);
      }
    }
    System.arraycopy(a, 0, lastSeen, 0, lastSeen.length);
    System.arraycopy(b, 0, gap, 0, gap.length);
    step = t[0];
    slots = s[0];
  }

  /**
   * {@inheritDoc} Each hash function's bucket of new item j takes A and B of the old item's bucket;
   * when two items share a bucket, the later index's copy stands, as if it had been seen last.
   */
  @Override
  public StreamingFrequencyEstimator carriedTo(int[] oldIndex) {
    StreamingFrequencyEstimator c = new StreamingFrequencyEstimator(buckets, hashes, alpha, seed);
    for (int k = 0; k < hashes; k++) {
      int base = k * buckets;
      for (int j = 0; j < oldIndex.length; j++) {
        if (oldIndex[j] >= 0) {
          int from = base + bucket(k, oldIndex[j]);
          int to = base + bucket(k, j);
          c.lastSeen[to] = lastSeen[from];
          c.gap[to] = gap[from];
        }
      }
    }
    c.step = step;
    c.slots = slots;
    return c;
  }

  /** Forgets everything: t = 0, A = B = 0. */
  public void reset() {
    Arrays.fill(lastSeen, 0);
    Arrays.fill(gap, 0);
    step = 0;
    slots = 0;
  }
}
