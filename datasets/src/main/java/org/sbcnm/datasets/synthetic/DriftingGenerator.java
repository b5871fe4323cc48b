package org.sbcnm.datasets.synthetic;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.sbcnm.datasets.prepared.Interactions;
import org.sbcnm.datasets.prepared.PreparedDataset;
import org.sbcnm.engine.kernel.TopK;
import org.sbcnm.engine.tensor.Tensor;

/**
 * A seeded stream whose item popularity drifts from period to period, for the period-by-period
 * protocol (the setting the paper's streaming estimator is built for):
 *
 * <ul>
 *   <li>latent tastes u, v ~ N(0, I₁₆), L2-normalised; dense features as {@link
 *       SyntheticGenerator}'s;
 *   <li>popularity Zipf over a rank permutation, pop(r) ∝ (r + 1)^−zipf; before each period after
 *       the first, a share {@code drift} of the items, drawn at random, shuffle their ranks among
 *       themselves (the shape of the distribution stays, which items hold it moves);
 *   <li>in period p (timestamps p·86400 + [0, 86400)), a share {@code active} of the users, drawn
 *       afresh, each pick {@code perPeriod} distinct items with weight pop_p(j)^β · exp(⟨u, v_j⟩ /
 *       T) (Gumbel-top-k); ratings 1.
 * </ul>
 *
 * Raw ids are "u&lt;k&gt;" and "i&lt;k&gt;" as in {@link SyntheticGenerator}; no side fields, no
 * graph.
 */
public final class DriftingGenerator {
  /** Seconds per period. */
  public static final long PERIOD = 86_400;

  private DriftingGenerator() {}

  public static PreparedDataset generate(DriftConfig c) {
    SplittableRandom rng = new SplittableRandom(c.seed());
    int items = c.items();
    Tensor u = SyntheticGenerator.unitRows(c.users(), rng);
    Tensor v = SyntheticGenerator.unitRows(items, rng);
    int[] rank = SyntheticGenerator.permutation(items, rng);
    int active = Math.max(1, (int) Math.round(c.active() * c.users()));
    int total = c.periods() * active * c.perPeriod();
    int[] iu = new int[total];
    int[] ii = new int[total];
    long[] ts = new long[total];
    int w = 0;
    float[] logits = new float[items];
    int[] chosen = new int[c.perPeriod()];
    float[] values = new float[c.perPeriod()];
    for (int p = 0; p < c.periods(); p++) {
      if (p > 0) {
        drift(rank, c.drift(), rng);
      }
      float[] logPop = logPopularity(rank, c);
      int[] users = Arrays.copyOf(SyntheticGenerator.permutation(c.users(), rng), active);
      Arrays.sort(users);
      for (int user : users) {
        for (int j = 0; j < items; j++) {
          logits[j] =
              (float)
                  (SyntheticGenerator.dot(u, user, v, j) / c.affinityTemperature()
                      + logPop[j]
                      + SyntheticGenerator.gumbel(rng));
        }
        TopK.select(logits, 0, items, c.perPeriod(), chosen, 0, values, 0);
        for (int k = 0; k < c.perPeriod(); k++) {
          iu[w] = user;
          ii[w] = chosen[k];
          ts[w] = p * PERIOD + rng.nextInt((int) PERIOD);
          w++;
        }
      }
    }
    return new PreparedDataset(
        SyntheticGenerator.features(u, 8, 0.5, rng),
        SyntheticGenerator.features(v, 8, 0.5, rng),
        SyntheticGenerator.rawIds("u", c.users(), rng),
        SyntheticGenerator.rawIds("i", items, rng),
        byTime(iu, ii, ts),
        null,
        null,
        null,
        "");
  }

  /** A share of the items, drawn at random, shuffle their ranks among themselves. */
  private static void drift(int[] rank, double share, SplittableRandom rng) {
    int moved = (int) Math.round(share * rank.length);
    int[] who = Arrays.copyOf(SyntheticGenerator.permutation(rank.length, rng), moved);
    int[] ranks = new int[moved];
    for (int k = 0; k < moved; k++) {
      ranks[k] = rank[who[k]];
    }
    SyntheticGenerator.shuffle(ranks, rng);
    for (int k = 0; k < moved; k++) {
      rank[who[k]] = ranks[k];
    }
  }

  private static float[] logPopularity(int[] rank, DriftConfig c) {
    double norm = 0;
    for (int r : rank) {
      norm += Math.pow(r + 1.0, -c.zipf());
    }
    float[] logPop = new float[rank.length];
    for (int j = 0; j < rank.length; j++) {
      logPop[j] = (float) (c.beta() * (-c.zipf() * Math.log(rank[j] + 1.0) - Math.log(norm)));
    }
    return logPop;
  }

  /** The interactions in time order (ties by user, then pick). */
  private static Interactions byTime(int[] iu, int[] ii, long[] ts) {
    Integer[] order = new Integer[iu.length];
    for (int k = 0; k < order.length; k++) {
      order[k] = k;
    }
    Arrays.sort(
        order, (a, b) -> ts[a] != ts[b] ? Long.compare(ts[a], ts[b]) : Integer.compare(a, b));
    int n = order.length;
    int[] su = new int[n];
    int[] si = new int[n];
    float[] sr = new float[n];
    long[] st = new long[n];
    for (int k = 0; k < n; k++) {
      su[k] = iu[order[k]];
      si[k] = ii[order[k]];
      sr[k] = 1;
      st[k] = ts[order[k]];
    }
    return new Interactions(su, si, sr, st);
  }
}
