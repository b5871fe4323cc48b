package org.sbcnm.training.retrieval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.sbcnm.engine.tensor.Tensor;
import org.sbcnm.training.sampling.StaticProbabilities;

/** β's sign and scale: β = 1 is the training-time correction in units of the logit ⟨u, v⟩/τ. */
class PopularityControlTest {
  // p̂ = 0.8 (popular), 0.15, 0.05 (rare).
  private static final StaticProbabilities P = new StaticProbabilities(new double[] {16, 3, 1});

  @Test
  void betaOneSubtractsTheTrainingLogQFromTheLogit() {
    double tau = 0.05;
    float[] a = PopularityControl.adjustment(P, 3, 1.0, tau);
    // cosine + a = τ·(cosine/τ − log p̂): the corrected training logit on the cosine's scale.
    assertEquals(-tau * Math.log(0.8), a[0], 1e-7);
    assertEquals(-tau * Math.log(0.15), a[1], 1e-7);
    assertEquals(-tau * Math.log(0.05), a[2], 1e-7);
    float[] half = PopularityControl.adjustment(P, 3, 0.5, tau);
    assertEquals(a[2] / 2, half[2], 1e-7);
    assertArrayEquals(new float[3], PopularityControl.adjustment(P, 3, 0, tau));
  }

  @Test
  void aPositiveBetaMovesARareItemAboveAPopularOneAtTheScaleOfTheTemperature() {
    // Item 0 (popular) beats item 2 (rare) by 0.1 in cosine, 2 in logit at τ = 0.05; the
    // training correction log(0.8 / 0.05) = 2.77 outweighs it at β = 1 but not at β = 0.5.
    Tensor items = Tensor.zeros(3, 2);
    double c0 = 0.9;
    double c2 = 0.8;
    items.set(0, 0, (float) c0);
    items.set(0, 1, (float) Math.sqrt(1 - c0 * c0));
    items.set(1, 0, -1f);
    items.set(2, 0, (float) c2);
    items.set(2, 1, (float) -Math.sqrt(1 - c2 * c2));
    Tensor query = Tensor.zeros(1, 2);
    query.set(0, 0, 1f);
    assertEquals(0, top(items, query, null));
    assertEquals(0, top(items, query, PopularityControl.adjustment(P, 3, 0.5, 0.05)));
    assertEquals(2, top(items, query, PopularityControl.adjustment(P, 3, 1.0, 0.05)));
    // At τ = 1 the cosine gap is 0.1 logits, far less than the correction.
    assertEquals(2, top(items, query, PopularityControl.adjustment(P, 3, 1.0, 1.0)));
    // ... and at τ = 0.01 the gap is 10 logits, more than the correction.
    assertEquals(0, top(items, query, PopularityControl.adjustment(P, 3, 1.0, 0.01)));
  }

  @Test
  void refusesANegativeOrInfiniteBeta() {
    assertThrows(IllegalArgumentException.class, () -> PopularityControl.adjustment(P, 3, -1, 1));
    assertThrows(
        IllegalArgumentException.class,
        () -> PopularityControl.adjustment(P, 3, Double.POSITIVE_INFINITY, 1));
    assertThrows(IllegalArgumentException.class, () -> PopularityControl.adjustment(P, 3, 1, 0));
  }

  private static int top(Tensor items, Tensor query, float[] adjustment) {
    ExactIndex index = new ExactIndex(items);
    if (adjustment != null) {
      index = index.withAdjustment(adjustment);
    }
    int[] idx = new int[1];
    float[] scores = new float[1];
    index.search(query, 1, null, idx, scores);
    return idx[0];
  }
}
