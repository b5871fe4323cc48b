package org.sbcnm.training.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.sbcnm.datasets.prepared.Interactions;
import org.sbcnm.datasets.split.HeldOutSplit;

/** EASE, iALS and item-kNN against their definitions, computed here in double on small matrices. */
class SimpleBaselinesTest {
  // 6 users x 5 items, binary; user u holds ITEMS[PTR[u] .. PTR[u + 1]).
  private static final int[] PTR = {0, 3, 5, 8, 9, 12, 14};
  private static final int[] ITEMS = {0, 1, 2, 1, 3, 0, 2, 4, 3, 1, 2, 4, 0, 3};
  private static final int N = 5;

  private static double[][] gram() {
    double[][] g = new double[N][N];
    for (int u = 0; u + 1 < PTR.length; u++) {
      for (int p = PTR[u]; p < PTR[u + 1]; p++) {
        for (int q = PTR[u]; q < PTR[u + 1]; q++) {
          g[ITEMS[p]][ITEMS[q]]++;
        }
      }
    }
    return g;
  }

  /** Gauss–Jordan inverse with partial pivoting: the textbook oracle. */
  private static double[][] inverse(double[][] a) {
    int n = a.length;
    double[][] m = new double[n][2 * n];
    for (int i = 0; i < n; i++) {
      System.arraycopy(a[i], 0, m[i], 0, n);
      m[i][n + i] = 1;
    }
    for (int c = 0; c < n; c++) {
      int p = c;
      for (int r = c + 1; r < n; r++) {
        if (Math.abs(m[r][c]) > Math.abs(m[p][c])) {
          p = r;
        }
      }
      double[] t = m[c];
      m[c] = m[p];
      m[p] = t;
      double d = m[c][c];
      for (int k = 0; k < 2 * n; k++) {
        m[c][k] /= d;
      }
      for (int r = 0; r < n; r++) {
        if (r != c) {
          double f = m[r][c];
          for (int k = 0; k < 2 * n; k++) {
            m[r][k] -= f * m[c][k];
          }
        }
      }
    }
    double[][] inv = new double[n][n];
    for (int i = 0; i < n; i++) {
      System.arraycopy(m[i], n, inv[i], 0, n);
    }
    return inv;
  }

  @Test
  void theSymmetricInverseMatchesGaussJordanAndRefusesAnIndefiniteMatrix() {
    SplittableRandom rng = new SplittableRandom(3);
    int n = 9;
    double[][] a = new double[n][n];
    double[][] r = new double[n][n];
    for (double[] row : r) {
      for (int k = 0; k < n; k++) {
        row[k] = rng.nextDouble() - 0.5;
      }
    }
    double[] flat = new double[n * n];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++) {
        for (int k = 0; k < n; k++) {
          a[i][j] += r[i][k] * r[j][k];
        }
        a[i][j] += i == j ? 0.5 : 0;
        flat[i * n + j] = a[i][j];
      }
    }
    SymmetricInverse.invertInPlace(flat, n);
    double[][] expected = inverse(a);
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++) {
        assertEquals(expected[i][j], flat[i * n + j], 1e-9, i + "," + j);
      }
    }
    double[] indefinite = {1, 2, 2, 1};
    assertThrows(
        IllegalArgumentException.class, () -> SymmetricInverse.invertInPlace(indefinite, 2));
  }

  @Test
  void easeIsItsClosedForm() {
    double lambda = 2.5;
    double[][] g = gram();
    for (int j = 0; j < N; j++) {
      g[j][j] += lambda;
    }
    double[][] p = inverse(g);
    ItemItemWeights ease = Ease.fit(PTR, ITEMS, N, lambda);
    for (int i = 0; i < N; i++) {
      for (int j = 0; j < N; j++) {
        double b = i == j ? 0 : -p[i][j] / p[j][j];
        assertEquals(b, ease.weight(i, j), 1e-6, "B[" + i + "][" + j + "]");
      }
    }
    // User 2 holds items 0, 2, 4: its scores are the sum of those rows of B.
    float[] s = new float[N];
    ease.scores(2, s);
    for (int j = 0; j < N; j++) {
      assertEquals(ease.weight(0, j) + ease.weight(2, j) + ease.weight(4, j), s[j], 1e-6);
    }
    assertThrows(IllegalArgumentException.class, () -> Ease.fit(PTR, ITEMS, N, 0));
  }

  @Test
  void itemKnnKeepsTheKMostCosineSimilarItemsPerColumn() {
    double[][] g = gram();
    ItemItemWeights all = ItemKnn.fit(PTR, ITEMS, N, N);
    for (int i = 0; i < N; i++) {
      for (int j = 0; j < N; j++) {
        double cos = i == j ? 0 : g[i][j] / Math.sqrt(g[i][i] * g[j][j]);
        assertEquals(cos, all.weight(i, j), 1e-6, "sim(" + i + ", " + j + ")");
      }
    }
    // k = 1: each column j keeps its single most similar item (ties: the lower index).
    ItemItemWeights one = ItemKnn.fit(PTR, ITEMS, N, 1);
    for (int j = 0; j < N; j++) {
      int best = -1;
      for (int i = 0; i < N; i++) {
        if (i != j && (best < 0 || all.weight(i, j) > all.weight(best, j))) {
          best = i;
        }
      }
      for (int i = 0; i < N; i++) {
        assertEquals(i == best ? all.weight(i, j) : 0, one.weight(i, j), 1e-9, i + "," + j);
      }
    }
  }

  @Test
  void anIalsRowSolveIsTheLeastSquaresSolution() {
    // With as many CG steps as factors, CG solves the row's normal equations exactly (up to
    // rounding): compare with a dense solve of (YᵀY + λI + α Σ y_j y_jᵀ) x = (1 + α) Σ y_j.
    int f = 4;
    ImplicitAls.Params params = new ImplicitAls.Params(f, 0.7, 3.0, 1, f, 1);
    SplittableRandom rng = new SplittableRandom(5);
    double[] y = new double[N * f];
    for (int k = 0; k < y.length; k++) {
      y[k] = rng.nextDouble() - 0.5;
    }
    double[] gramY = new double[f * f];
    for (int i = 0; i < N; i++) {
      for (int a = 0; a < f; a++) {
        for (int b = 0; b < f; b++) {
          gramY[a * f + b] += y[i * f + a] * y[i * f + b];
        }
      }
    }
    int users = PTR.length - 1;
    double[] x = new double[users * f];
    for (int k = 0; k < x.length; k++) {
      x[k] = rng.nextDouble();
    }
    ImplicitAls.halfStep(x, users, y, N, PTR, ITEMS, params);
    for (int u = 0; u < users; u++) {
      double[][] a = new double[f][f];
      double[] b = new double[f];
      for (int r = 0; r < f; r++) {
        for (int c = 0; c < f; c++) {
          a[r][c] = gramY[r * f + c] + (r == c ? params.lambda() : 0);
        }
      }
      for (int p = PTR[u]; p < PTR[u + 1]; p++) {
        int j = ITEMS[p];
        for (int r = 0; r < f; r++) {
          b[r] += (1 + params.alpha()) * y[j * f + r];
          for (int c = 0; c < f; c++) {
            a[r][c] += params.alpha() * y[j * f + r] * y[j * f + c];
          }
        }
      }
      double[][] inv = inverse(a);
      for (int r = 0; r < f; r++) {
        double expected = 0;
        for (int c = 0; c < f; c++) {
          expected += inv[r][c] * b[c];
        }
        assertEquals(expected, x[u * f + r], 1e-8, "user " + u + " factor " + r);
      }
    }
  }

  @Test
  void ialsFitsTheObservedCellsAndRepeatsItselfForASeed() {
    ImplicitAls.Params params = new ImplicitAls.Params(4, 0.01, 10, 20, 4, 7);
    ImplicitAls a = ImplicitAls.fit(PTR, ITEMS, N, params);
    ImplicitAls b = ImplicitAls.fit(PTR, ITEMS, N, params);
    for (int u = 0; u + 1 < PTR.length; u++) {
      assertArrayEquals(a.userFactors(u), b.userFactors(u));
      // Every observed item outscores every unobserved one for this user, at such a light λ.
      double lowestSeen = Double.POSITIVE_INFINITY;
      double highestUnseen = Double.NEGATIVE_INFINITY;
      for (int j = 0; j < N; j++) {
        boolean seen = false;
        for (int p = PTR[u]; p < PTR[u + 1]; p++) {
          seen |= ITEMS[p] == j;
        }
        if (seen) {
          lowestSeen = Math.min(lowestSeen, a.score(u, j));
        } else {
          highestUnseen = Math.max(highestUnseen, a.score(u, j));
        }
      }
      assertTrue(lowestSeen > highestUnseen, "user " + u);
    }
    ImplicitAls other =
        ImplicitAls.fit(PTR, ITEMS, N, new ImplicitAls.Params(4, 0.01, 10, 20, 4, 8));
    assertTrue(other.score(0, 0) != a.score(0, 0), "another seed, other factors");
  }

  @Test
  void userScoreRanksLeaveTrainingItemsOutAndCountTiesAgainstTheTarget() {
    // User 0 holds items 0..2 in training; the target 3 scores 0.5, item 4 scores 0.5 too (a tie,
    // counted against), item 1 (training) scores 0.9 (left out).
    float[] row = {0.9f, 0.9f, 0.1f, 0.5f, 0.5f, 0.2f};
    int[] train = {0, 1, 2};
    assertEquals(1, Baselines.rankOf(row, 6, 3, train, 0, 3));
    row[3] = Float.NaN;
    assertEquals(2, Baselines.rankOf(row, 6, 3, train, 0, 3), "NaN ranks last of the 3 others");
    // The target among the training items is still a candidate.
    row[3] = 0.95f;
    assertEquals(0, Baselines.rankOf(row, 6, 3, new int[] {0, 3}, 0, 2));
  }

  @Test
  void tuningSelectsOnValidationAndReadsTheTestSplitOnce() {
    // Four users with four interactions each, in time order; a scorer that reads a setting s
    // ranks item s first. The validation item of every user is 2, the test item 3.
    int users = 4;
    int[] u = new int[16];
    int[] i = new int[16];
    long[] ts = new long[16];
    for (int k = 0; k < 16; k++) {
      u[k] = k / 4;
      i[k] = k % 4;
      ts[k] = k;
    }
    HeldOutSplit test = HeldOutSplit.of(new Interactions(u, i, new float[16], ts), users);
    List<Integer> seenTests = new ArrayList<>();
    TunedBaselines.Result r =
        TunedBaselines.tune(
            "fake",
            test,
            users,
            6,
            1,
            List.of(5, 2, 4),
            s -> "s=" + s,
            (split, s) -> {
              seenTests.add(split.testItems()[0]);
              return (user, out) -> {
                java.util.Arrays.fill(out, 0f);
                out[s] = 1f;
                out[3] = s == 2 ? 0.5f : 0f;
              };
            });
    assertEquals("s=2", r.chosen(), "the setting that ranks the validation item first");
    assertEquals(List.of(2, 2, 2, 3), seenTests, "three fits on validation, then one on test");
    assertEquals(1.0, r.validation().get("s=2"));
    assertEquals(0.0, r.validation().get("s=5"));
    // On the test split, setting 2 ranks item 3 just behind item 2... which is a training item
    // there, so item 3 is first.
    assertArrayEquals(new int[] {0, 0, 0, 0}, r.testRanks());
    assertThrows(
        IllegalArgumentException.class,
        () -> TunedBaselines.run("svd", test, users, 6, 1, 0),
        "an unknown baseline");
  }

  @Test
  void badSettingsAndOversizedCataloguesAreRefused() {
    assertThrows(IllegalArgumentException.class, () -> new ImplicitAls.Params(0, 1, 1, 1, 1, 0));
    assertThrows(IllegalArgumentException.class, () -> new ImplicitAls.Params(4097, 1, 1, 1, 1, 0));
    assertThrows(IllegalArgumentException.class, () -> new ImplicitAls.Params(4, -1, 1, 1, 1, 0));
    assertThrows(IllegalArgumentException.class, () -> new ImplicitAls.Params(4, 1, -1, 1, 1, 0));
    assertThrows(
        IllegalArgumentException.class,
        () -> new ImplicitAls.Params(4, Double.POSITIVE_INFINITY, 1, 1, 1, 0));
    assertThrows(IllegalArgumentException.class, () -> new ImplicitAls.Params(4, 1, 1, 0, 1, 0));
    assertThrows(IllegalArgumentException.class, () -> new ImplicitAls.Params(4, 1, 1, 1, 0, 0));
    new ImplicitAls.Params(1, 0, 0, 1, 1, 0);
    new ImplicitAls.Params(4096, 1, 1, 1, 1, 0);
    assertThrows(IllegalArgumentException.class, () -> ItemKnn.fit(PTR, ITEMS, N, 0));
    assertThrows(IllegalArgumentException.class, () -> ItemKnn.fit(PTR, ITEMS, N, 1001));
    assertThrows(
        IllegalArgumentException.class, () -> Ease.fit(PTR, ITEMS, N, Double.POSITIVE_INFINITY));
    assertThrows(
        IllegalArgumentException.class, () -> SymmetricInverse.invertInPlace(new double[8], 3));
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Ease.requireMemory(1_000_000));
    assertTrue(
        e.getMessage().contains("EASE's item-item matrices for 1000000 items"), e.getMessage());
    assertThrows(
        IllegalArgumentException.class, () -> TunedBaselines.run("ease", null, 1, 1_000_000, 1, 0));
  }

  @Test
  void anItemNobodyHoldsHasNoNeighboursAndNoWeight() {
    // Item 5 of 6 has no users: its similarities are 0, not NaN, and nothing points to it.
    ItemItemWeights knn = ItemKnn.fit(PTR, ITEMS, N + 1, 3);
    for (int i = 0; i <= N; i++) {
      assertEquals(0, knn.weight(i, N), "into the empty item");
      assertEquals(0, knn.weight(N, i), "out of the empty item");
    }
    float[] s = new float[N + 1];
    knn.scores(0, s);
    for (float v : s) {
      assertTrue(Float.isFinite(v));
    }
  }

  @Test
  void ialsItemFactorsAreCopiesAndScoresMatchTheirDotProducts() {
    ImplicitAls a = ImplicitAls.fit(PTR, ITEMS, N, new ImplicitAls.Params(3, 0.1, 2, 3, 2, 1));
    float[] s = new float[N];
    a.scores(1, s);
    for (int j = 0; j < N; j++) {
      double[] x = a.userFactors(1);
      double[] y = a.itemFactors(j);
      double dot = 0;
      for (int k = 0; k < 3; k++) {
        dot += x[k] * y[k];
      }
      assertEquals(dot, a.score(1, j), 1e-12);
      assertEquals(dot, s[j], 1e-6);
    }
    a.itemFactors(0)[0] = 99;
    assertTrue(a.itemFactors(0)[0] != 99, "a copy");
  }
}
