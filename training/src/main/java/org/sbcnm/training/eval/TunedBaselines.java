package org.sbcnm.training.eval;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.stream.DoubleStream;
import java.util.stream.IntStream;
import org.sbcnm.datasets.split.HeldOutSplit;

/**
 * The strong simple baselines, each tuned on the validation split and then scored on the test
 * split: item-kNN ({@link ItemKnn}), iALS ({@link ImplicitAls}) and EASE ({@link Ease}).
 *
 * <p>Protocol: the validation split holds out each user's second-to-last interaction from the test
 * split's training interactions (as {@code train --validation} does). Every grid value is fit on
 * the validation split's training interactions and scored by Recall@{@code selectK} on its held-out
 * items; the best (ties: the earlier in the grid) is refit on all training interactions and ranks
 * the test items. The test split is read once, after the choice.
 */
public final class TunedBaselines {
  private TunedBaselines() {}

  /** The baselines by name, in the order reports list them. */
  public static final List<String> NAMES = List.of("itemknn", "ials", "ease");

  /** Default grids: item-kNN's k; EASE's λ; iALS's (λ, α) at 64 factors. */
  static final int[] KNN_GRID = {10, 20, 50, 100, 200, 500};

  static final double[] EASE_GRID = {10, 50, 100, 200, 500, 1000, 3000};
  static final double[] IALS_LAMBDAS = {0.1, 1, 10, 100};
  static final double[] IALS_ALPHAS = {1, 3, 10, 30};

  /**
   * One tuned baseline: its name, the chosen setting, the Recall@K on validation of every setting
   * tried (by its label), the test ranks of the refit model, and the wall time of the whole.
   */
  public record Result(
      String name,
      String chosen,
      Map<String, Double> validation,
      int[] testRanks,
      double seconds) {}

  /** Tunes and scores the baseline {@code name} (one of {@link #NAMES}). */
  public static Result run(
      String name, HeldOutSplit test, int numUsers, int numItems, int selectK, long seed) {
    switch (name) {
      case "itemknn":
        return tune(
            name,
            test,
            numUsers,
            numItems,
            selectK,
            IntStream.of(KNN_GRID).boxed().toList(),
            k -> "k=" + k,
            (s, k) -> ItemKnn.fit(s.userTrainPtr(), s.userTrainItems(), numItems, k));
      case "ease":
        Ease.requireMemory(numItems);
        return tune(
            name,
            test,
            numUsers,
            numItems,
            selectK,
            DoubleStream.of(EASE_GRID).boxed().toList(),
            l -> "lambda=" + l,
            (s, l) -> Ease.fit(s.userTrainPtr(), s.userTrainItems(), numItems, l));
      case "ials":
        List<ImplicitAls.Params> grid = new ArrayList<>();
        for (double l : IALS_LAMBDAS) {
          for (double a : IALS_ALPHAS) {
            grid.add(new ImplicitAls.Params(64, l, a, 15, 3, seed));
          }
        }
        return tune(
            name,
            test,
            numUsers,
            numItems,
            selectK,
            grid,
            p -> "factors=" + p.factors() + " lambda=" + p.lambda() + " alpha=" + p.alpha(),
            (s, p) -> ImplicitAls.fit(s.userTrainPtr(), s.userTrainItems(), numItems, p));
      default:
        throw new IllegalArgumentException(
            "unknown baseline '" + name + "' (expected one of " + NAMES + ")");
    }
  }

  /**
   * Fits {@code fit} for each of {@code grid} on the validation split, keeps the best by
   * Recall@{@code selectK}, refits it on the test split's training interactions and ranks the test
   * items.
   */
  static <P> Result tune(
      String name,
      HeldOutSplit test,
      int numUsers,
      int numItems,
      int selectK,
      List<P> grid,
      java.util.function.Function<P, String> label,
      BiFunction<HeldOutSplit, P, UserScorer> fit) {
    long start = System.nanoTime();
    HeldOutSplit validation = HeldOutSplit.of(test.train(), numUsers);
    if (validation.testSize() == 0) {
      throw new IllegalArgumentException(
          name + ": no validation split to tune on (no user has three interactions or more)");
    }
    Map<String, Double> scores = new LinkedHashMap<>();
    P best = null;
    double bestScore = Double.NEGATIVE_INFINITY;
    for (P p : grid) {
      int[] ranks = Baselines.ranksForUserScores(validation, numItems, fit.apply(validation, p));
      double recall = recall(ranks, selectK);
      scores.put(label.apply(p), recall);
      if (recall > bestScore) {
        bestScore = recall;
        best = p;
      }
    }
    int[] testRanks = Baselines.ranksForUserScores(test, numItems, fit.apply(test, best));
    return new Result(
        name, label.apply(best), scores, testRanks, (System.nanoTime() - start) / 1e9);
  }

  private static double recall(int[] ranks, int k) {
    int hits = 0;
    for (int r : ranks) {
      hits += r < k ? 1 : 0;
    }
    return ranks.length == 0 ? 0 : hits / (double) ranks.length;
  }
}
