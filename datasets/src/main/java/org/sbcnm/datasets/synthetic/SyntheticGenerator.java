package org.sbcnm.datasets.synthetic;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.sbcnm.datasets.graph.CooccurrenceGraph;
import org.sbcnm.datasets.prepared.CategoricalFields;
import org.sbcnm.datasets.prepared.IdMap;
import org.sbcnm.datasets.prepared.Interactions;
import org.sbcnm.datasets.prepared.PreparedDataset;
import org.sbcnm.datasets.split.HeldOutSplit;
import org.sbcnm.engine.kernel.MatrixOps;
import org.sbcnm.engine.kernel.TopK;
import org.sbcnm.engine.tensor.Tensor;

/**
 * A seeded synthetic dataset with the generative story of {@code peers/make_synth.py}:
 *
 * <ul>
 *   <li>latent tastes u, v ~ N(0, I₁₆), L2-normalised; item popularity Zipf over a random rank
 *       permutation, pop(r) ∝ (r + 1)^−zipf;
 *   <li>user u picks n_u = clip(Poisson(per_user), 5, 3·per_user) distinct items without
 *       replacement with weight pop_j^β · exp(⟨u, v_j⟩ / T) (Gumbel-top-k), in random time order;
 *   <li>dense features = latent · W + N(0, noise²), W ~ N(0, 1)/4; three categorical user fields
 *       (cardinalities 7, 2, 21) = argmax(2·u·C_k + Gumbel);
 *   <li>rating = clip(round(3 + 4⟨u, v⟩ + N(0, 0.25)), 1, 5); timestamps strictly increasing per
 *       user;
 *   <li>the item co-occurrence graph from training interactions only (each user's last one held
 *       out).
 * </ul>
 *
 * Raw ids are "u&lt;k&gt;" and "i&lt;k&gt;" with k a random permutation, so raw ids differ from row
 * indices. The output follows make_synth's story, not its bytes.
 */
public final class SyntheticGenerator {
  private static final int LATENT = 16;
  private static final int[] SIDE_CARDS = {7, 2, 21};

  private SyntheticGenerator() {}

  public static PreparedDataset generate(SyntheticConfig c) {
    SplittableRandom rng = new SplittableRandom(c.seed());
    int users = c.users();
    int items = c.items();
    Tensor u = unitRows(users, rng);
    Tensor v = unitRows(items, rng);
    int[] rank = permutation(items, rng);
    float[] logPop = new float[items];
    double norm = 0;
    for (int j = 0; j < items; j++) {
      norm += Math.pow(rank[j] + 1.0, -c.zipf());
    }
    for (int j = 0; j < items; j++) {
      logPop[j] = (float) (c.beta() * (-c.zipf() * Math.log(rank[j] + 1.0) - Math.log(norm)));
    }
    Tensor qf = features(u, c.dq(), c.noise(), rng);
    Tensor itf = features(v, c.di(), c.noise(), rng);
    int[] side = new int[users * SIDE_CARDS.length];
    for (int k = 0; k < SIDE_CARDS.length; k++) {
      int card = SIDE_CARDS[k];
      Tensor cm = gaussian(LATENT, card, 1.0, rng);
      Tensor scores = Tensor.zeros(users, card);
      MatrixOps.gemm(false, false, 2.0, u, cm, 0.0, scores);
      for (int r = 0; r < users; r++) {
        int best = 0;
        double bestV = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < card; j++) {
          double s = scores.get(r, j) + gumbel(rng);
          if (s > bestV) {
            bestV = s;
            best = j;
          }
        }
        side[r * SIDE_CARDS.length + k] = best;
      }
    }
    // Interactions, chunk by chunk of users: logits = u·vᵀ/T + β log pop + Gumbel, top n_u.
    int[] counts = new int[users];
    int total = 0;
    for (int r = 0; r < users; r++) {
      counts[r] =
          Math.min(items, Math.max(5, Math.min(3 * c.perUser(), poisson(c.perUser(), rng))));
      total += counts[r];
    }
    int[] iu = new int[total];
    int[] ii = new int[total];
    float[] rating = new float[total];
    long[] ts = new long[total];
    int chunk = 512;
    Tensor logits = Tensor.zeros(Math.min(chunk, users), items);
    int kmax = Math.min(items, Math.min(TopK.MAX_K, 3 * c.perUser()));
    int[] topIdx = new int[kmax];
    float[] topVal = new float[kmax];
    int w = 0;
    for (int s = 0; s < users; s += chunk) {
      int m = Math.min(chunk, users - s);
      Tensor block = logits.rowRange(0, m);
      MatrixOps.gemm(false, true, 1.0 / c.affinityTemperature(), u.rowRange(s, m), v, 0.0, block);
      float[] l = block.floats();
      for (int r = 0; r < m; r++) {
        int row = r * items;
        for (int j = 0; j < items; j++) {
          l[row + j] += logPop[j] + (float) gumbel(rng);
        }
        int user = s + r;
        int n = Math.min(counts[user], kmax);
        counts[user] = n;
        TopK.select(l, row, items, n, topIdx, 0, topVal, 0);
        int[] chosen = Arrays.copyOf(topIdx, n);
        shuffle(chosen, rng);
        long start = 1_600_000_000L + rng.nextInt(30_000_000);
        long time = start;
        for (int k = 0; k < n; k++) {
          time += 1 + (long) Math.floor(-86400.0 * Math.log(1 - rng.nextDouble()));
          int item = chosen[k];
          double aff = dot(u, user, v, item);
          iu[w] = user;
          ii[w] = item;
          rating[w] =
              (float) Math.min(5, Math.max(1, Math.rint(3 + 4 * aff + 0.5 * rng.nextGaussian())));
          ts[w] = time;
          w++;
        }
      }
    }
    // File order: by (timestamp, user).
    Integer[] order = new Integer[w];
    for (int k = 0; k < w; k++) {
      order[k] = k;
    }
    final long[] tsf = ts;
    final int[] iuf = iu;
    Arrays.sort(
        order,
        (a, b) ->
            tsf[a] != tsf[b] ? Long.compare(tsf[a], tsf[b]) : Integer.compare(iuf[a], iuf[b]));
    int[] su = new int[w];
    int[] si = new int[w];
    float[] sr = new float[w];
    long[] st = new long[w];
    for (int k = 0; k < w; k++) {
      int o = order[k];
      su[k] = iu[o];
      si[k] = ii[o];
      sr[k] = rating[o];
      st[k] = ts[o];
    }
    Interactions inter = new Interactions(su, si, sr, st);
    IdMap userIds = rawIds("u", users, rng);
    IdMap itemIds = rawIds("i", items, rng);
    HeldOutSplit split = HeldOutSplit.of(inter, users);
    return new PreparedDataset(
        qf,
        itf,
        userIds,
        itemIds,
        inter,
        new CategoricalFields(users, SIDE_CARDS.length, side),
        null,
        CooccurrenceGraph.build(split.train(), users, items, c.edgesTopK()),
        "");
  }

  static double dot(Tensor a, int i, Tensor b, int j) {
    double s = 0;
    for (int k = 0; k < a.cols(); k++) {
      s += a.get(i, k) * b.get(j, k);
    }
    return s;
  }

  static IdMap rawIds(String prefix, int n, SplittableRandom rng) {
    int[] p = permutation(n, rng);
    String[] raw = new String[n];
    for (int i = 0; i < n; i++) {
      raw[i] = prefix + (p[i] + 1);
    }
    return new IdMap(raw);
  }

  static Tensor unitRows(int n, SplittableRandom rng) {
    Tensor t = gaussian(n, LATENT, 1.0, rng);
    Tensor out = Tensor.zeros(n, LATENT);
    MatrixOps.rowL2Normalize(t, out, null, 1e-12);
    return out;
  }

  private static Tensor gaussian(int r, int c, double std, SplittableRandom rng) {
    Tensor t = Tensor.zeros(r, c);
    for (int k = 0; k < t.size(); k++) {
      t.setFlat(k, std * rng.nextGaussian());
    }
    return t;
  }

  static Tensor features(Tensor latent, int d, double noise, SplittableRandom rng) {
    Tensor w = gaussian(LATENT, d, 1.0 / Math.sqrt(LATENT), rng);
    Tensor f = Tensor.zeros(latent.rows(), d);
    MatrixOps.gemm(false, false, 1.0, latent, w, 0.0, f);
    for (int k = 0; k < f.size(); k++) {
      f.setFlat(k, f.getFlat(k) + noise * rng.nextGaussian());
    }
    return f;
  }

  static double gumbel(SplittableRandom rng) {
    return -Math.log(-Math.log(rng.nextDouble() * (1 - 1e-12) + 1e-300));
  }

  private static int poisson(double mean, SplittableRandom rng) {
    // Knuth's multiplication method; means here are small (tens).
    double l = Math.exp(-mean);
    int k = 0;
    double p = 1;
    do {
      k++;
      p *= rng.nextDouble();
    } while (p > l);
    return k - 1;
  }

  static int[] permutation(int n, SplittableRandom rng) {
    int[] p = new int[n];
    for (int i = 0; i < n; i++) {
      p[i] = i;
    }
    shuffle(p, rng);
    return p;
  }

  static void shuffle(int[] a, SplittableRandom rng) {
    for (int i = a.length - 1; i > 0; i--) {
      int j = rng.nextInt(i + 1);
      int t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
  }
}
