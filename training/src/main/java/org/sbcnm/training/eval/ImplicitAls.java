package org.sbcnm.training.eval;

import java.util.SplittableRandom;
import org.sbcnm.engine.kernel.Kernels;

/**
 * iALS: matrix factorisation for implicit feedback (Hu, Koren and Volinsky, ICDM 2008), solved with
 * a few conjugate-gradient steps per row (Takács, Pilászy and Tikk, RecSys 2011).
 *
 * <pre>
 *   minimise Σ_{u,i} c_ui (p_ui − x_u·y_i)² + λ (Σ_u ‖x_u‖² + Σ_i ‖y_i‖²)
 *   p_ui = 1 where user u has item i, else 0;   c_ui = 1 + α·p_ui
 *   x_u ← solution of (YᵀY + λI + α Σ_{i∈u} y_i y_iᵀ) x = (1 + α) Σ_{i∈u} y_i, and alike for y_i
 *   score(u, i) = x_u · y_i
 * </pre>
 *
 * Each half-step precomputes YᵀY ([f, f]) once, then solves every row independently, warm-started
 * from its current value, with {@code cgSteps} CG steps (the system is never formed: its product
 * with a vector costs f² + 2f·|items of u|). Factors start N(0, 0.01²) from the seed; rows split
 * across the kernel threads, each row's arithmetic fixed, so the result does not depend on the
 * thread count.
 */
public final class ImplicitAls implements UserScorer {
  private final int factors;
  private final int numItems;
  private final double[] userFactors;
  private final double[] itemFactors;

  private ImplicitAls(int factors, int numItems, double[] userFactors, double[] itemFactors) {
    this.factors = factors;
    this.numItems = numItems;
    this.userFactors = userFactors;
    this.itemFactors = itemFactors;
  }

  /** How to fit: f factors, λ, α, alternating iterations, CG steps per row solve, seed. */
  public record Params(
      int factors, double lambda, double alpha, int iterations, int cgSteps, long seed) {
    public Params {
      if (factors < 1 || factors > 4096) {
        throw new IllegalArgumentException("iALS: factors must be in [1, 4096], got " + factors);
      }
      if (!(lambda >= 0) || !(alpha >= 0) || Double.isInfinite(lambda + alpha)) {
        throw new IllegalArgumentException("iALS: λ and α must be finite and >= 0");
      }
      if (iterations < 1 || cgSteps < 1) {
        throw new IllegalArgumentException("iALS: iterations and CG steps must be >= 1");
      }
    }
  }

  /**
   * Fits on the binary matrix whose user u holds {@code items[ptr[u], ptr[u + 1])} (sorted,
   * distinct).
   */
  public static ImplicitAls fit(int[] ptr, int[] items, int numItems, Params params) {
    int numUsers = ptr.length - 1;
    int f = params.factors();
    double[] x = gaussian(numUsers, f, params.seed());
    double[] y = gaussian(numItems, f, params.seed() ^ 0x5DEECE66DL);
    // The item side's rows: for each item, its users (the transpose of the user rows).
    int[] itemPtr = new int[numItems + 1];
    for (int p = 0; p < ptr[numUsers]; p++) {
      itemPtr[items[p] + 1]++;
    }
    for (int i = 0; i < numItems; i++) {
      itemPtr[i + 1] += itemPtr[i];
    }
    int[] itemUsers = new int[ptr[numUsers]];
    int[] fill = java.util.Arrays.copyOf(itemPtr, numItems);
    for (int u = 0; u < numUsers; u++) {
      for (int p = ptr[u]; p < ptr[u + 1]; p++) {
        itemUsers[fill[items[p]]++] = u;
      }
    }
    for (int it = 0; it < params.iterations(); it++) {
      halfStep(x, numUsers, y, numItems, ptr, items, params);
      halfStep(y, numItems, x, numUsers, itemPtr, itemUsers, params);
    }
    return new ImplicitAls(f, numItems, x, y);
  }

  private static double[] gaussian(int rows, int f, long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    double[] m = new double[rows * f];
    for (int k = 0; k < m.length; k++) {
      m[k] = 0.01 * nextGaussian(rng);
    }
    return m;
  }

  /** Standard normal by Box–Muller (SplittableRandom has no nextGaussian on Java 17). */
  private static double nextGaussian(SplittableRandom rng) {
    double u = 1.0 - rng.nextDouble();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.nextDouble());
  }

  /**
   * Updates every row r of {@code solve} ([rows, f]) against the fixed {@code other} ([otherRows,
   * f]), row r observing {@code cols[ptr[r], ptr[r + 1])}. Modifies solve.
   */
  static void halfStep(
      double[] solve,
      int rows,
      double[] other,
      int otherRows,
      int[] ptr,
      int[] cols,
      Params params) {
    int f = params.factors();
    double[] gram = new double[f * f];
    for (int r = 0; r < otherRows; r++) {
      int o = r * f;
      for (int a = 0; a < f; a++) {
        double va = other[o + a];
        for (int b = 0; b < f; b++) {
          gram[a * f + b] += va * other[o + b];
        }
      }
    }
    int chunk = 64;
    Kernels.parallelFor(
        (rows + chunk - 1) / chunk,
        c -> {
          double[] work = new double[3 * f];
          int end = Math.min(rows, (c + 1) * chunk);
          for (int r = c * chunk; r < end; r++) {
            solveRow(solve, r, other, gram, cols, ptr[r], ptr[r + 1], params, work);
          }
        });
  }

  /**
   * CG on (G + λI + α Σ_{j∈J} y_j y_jᵀ) x = (1 + α) Σ_{j∈J} y_j from x = row r of {@code solve}, J
   * = {@code cols[from, to)}. {@code work} holds 3f doubles.
   */
  static void solveRow(
      double[] solve,
      int r,
      double[] other,
      double[] gram,
      int[] cols,
      int from,
      int to,
      Params params,
      double[] work) {
    int f = params.factors();
    int xo = r * f;
    double[] res = work; // [0, f): residual; [f, 2f): direction; [2f, 3f): A·direction
    int p0 = f;
    int q0 = 2 * f;
    // res = b − A·x
    multiply(solve, xo, other, gram, cols, from, to, params, res, q0);
    java.util.Arrays.fill(res, 0, f, 0.0);
    for (int k = from; k < to; k++) {
      int o = cols[k] * f;
      for (int a = 0; a < f; a++) {
        res[a] += (1 + params.alpha()) * other[o + a];
      }
    }
    double rr = 0;
    for (int a = 0; a < f; a++) {
      res[a] -= res[q0 + a];
      res[p0 + a] = res[a];
      rr += res[a] * res[a];
    }
    for (int step = 0; step < params.cgSteps() && rr > 1e-20; step++) {
      multiply(res, p0, other, gram, cols, from, to, params, res, q0);
      double pq = 0;
      for (int a = 0; a < f; a++) {
        pq += res[p0 + a] * res[q0 + a];
      }
      if (!(pq > 0)) {
        break;
      }
      double alpha = rr / pq;
      double next = 0;
      for (int a = 0; a < f; a++) {
        solve[xo + a] += alpha * res[p0 + a];
        res[a] -= alpha * res[q0 + a];
        next += res[a] * res[a];
      }
      double beta = next / rr;
      for (int a = 0; a < f; a++) {
        res[p0 + a] = res[a] + beta * res[p0 + a];
      }
      rr = next;
    }
  }

  /**
   * out[oo, oo + f) = (G + λI + α Σ_{j∈J} y_j y_jᵀ) · v[vo, vo + f). v and out may be the same
   * array but not overlapping ranges.
   */
  private static void multiply(
      double[] v,
      int vo,
      double[] other,
      double[] gram,
      int[] cols,
      int from,
      int to,
      Params params,
      double[] out,
      int oo) {
    int f = params.factors();
    for (int a = 0; a < f; a++) {
      double s = params.lambda() * v[vo + a];
      int ga = a * f;
      for (int b = 0; b < f; b++) {
        s += gram[ga + b] * v[vo + b];
      }
      out[oo + a] = s;
    }
    for (int k = from; k < to; k++) {
      int o = cols[k] * f;
      double d = 0;
      for (int b = 0; b < f; b++) {
        d += other[o + b] * v[vo + b];
      }
      d *= params.alpha();
      for (int a = 0; a < f; a++) {
        out[oo + a] += d * other[o + a];
      }
    }
  }

  /** x_u · y_i. */
  public double score(int user, int item) {
    double s = 0;
    for (int a = 0; a < factors; a++) {
      s += userFactors[user * factors + a] * itemFactors[item * factors + a];
    }
    return s;
  }

  /** The factor row of {@code user} (a copy). */
  public double[] userFactors(int user) {
    return java.util.Arrays.copyOfRange(userFactors, user * factors, (user + 1) * factors);
  }

  /** The factor row of {@code item} (a copy). */
  public double[] itemFactors(int item) {
    return java.util.Arrays.copyOfRange(itemFactors, item * factors, (item + 1) * factors);
  }

  @Override
  public void scores(int user, float[] out) {
    for (int i = 0; i < numItems; i++) {
      out[i] = (float) score(user, i);
    }
  }
}
