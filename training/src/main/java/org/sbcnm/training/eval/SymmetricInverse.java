package org.sbcnm.training.eval;

/**
 * The inverse of a symmetric positive definite matrix in double, by Cholesky: A = L·Lᵀ, W = L⁻¹,
 * A⁻¹ = Wᵀ·W. Row-major, every inner loop a contiguous row operation; about n³/2 multiply-adds.
 */
final class SymmetricInverse {
  private SymmetricInverse() {}

  /**
   * Replaces the n × n matrix {@code a} (row-major, symmetric positive definite; only its lower
   * triangle is read) by its inverse, both triangles. Modifies a.
   *
   * @throws IllegalArgumentException when a is not positive definite (a pivot ≤ 0)
   */
  static void invertInPlace(double[] a, int n) {
    if (a.length < (long) n * n) {
      throw new IllegalArgumentException("invert: " + a.length + " values for " + n + " x " + n);
    }
    // Cholesky, in place in the lower triangle: L[i][j] = (A[i][j] − Σ_{k<j} L[i][k]·L[j][k]) /
    // L[j][j].
    for (int j = 0; j < n; j++) {
      int rj = j * n;
      double d = a[rj + j] - dot(a, rj, a, rj, j);
      if (!(d > 0)) {
        throw new IllegalArgumentException(
            "invert: the matrix is not positive definite (pivot " + j + " is " + d + ")");
      }
      double l = Math.sqrt(d);
      a[rj + j] = l;
      for (int i = j + 1; i < n; i++) {
        int ri = i * n;
        a[ri + j] = (a[ri + j] - dot(a, ri, a, rj, j)) / l;
      }
    }
    // W = L⁻¹ row by row: W[i] = (e_i − Σ_{k<i} L[i][k]·W[k]) / L[i][i], into w (lower).
    double[] w = new double[n * n];
    for (int i = 0; i < n; i++) {
      int ri = i * n;
      for (int k = 0; k < i; k++) {
        double lik = a[ri + k];
        int rk = k * n;
        for (int c = 0; c <= k; c++) {
          w[ri + c] -= lik * w[rk + c];
        }
      }
      double inv = 1.0 / a[ri + i];
      for (int c = 0; c < i; c++) {
        w[ri + c] *= inv;
      }
      w[ri + i] = inv;
    }
    // A⁻¹ = Wᵀ·W: row i of W adds W[i][r]·W[i][0..r] to row r (lower triangle), for r ≤ i.
    java.util.Arrays.fill(a, 0, n * n, 0.0);
    for (int i = 0; i < n; i++) {
      int ri = i * n;
      for (int r = 0; r <= i; r++) {
        double wir = w[ri + r];
        if (wir == 0) {
          continue;
        }
        int rr = r * n;
        for (int c = 0; c <= r; c++) {
          a[rr + c] += wir * w[ri + c];
        }
      }
    }
    for (int r = 0; r < n; r++) {
      for (int c = 0; c < r; c++) {
        a[c * n + r] = a[r * n + c];
      }
    }
  }

  private static double dot(double[] x, int xo, double[] y, int yo, int n) {
    double s = 0;
    for (int k = 0; k < n; k++) {
      s += x[xo + k] * y[yo + k];
    }
    return s;
  }
}
