package org.sbcnm.training.sampling;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** The simulation's distributions, error measure and aggregation against hand computations. */
class EstimatorSimulationTest {
  @Test
  void theDistributionIsQuadraticAndReversesAtTheSwitch() {
    EstimatorSimulation sim = new EstimatorSimulation(3, 4, 10, 5, 1, 1);
    // q ∝ 1, 4, 9 (sum 14), then 9, 4, 1.
    assertArrayEquals(new double[] {1 / 14.0, 4 / 14.0, 9 / 14.0}, sim.distribution(false), 1e-12);
    assertArrayEquals(new double[] {9 / 14.0, 4 / 14.0, 1 / 14.0}, sim.distribution(true), 1e-12);
  }

  @Test
  void theErrorIsTheTotalVariationOfTheEstimatePerSlot() {
    // Two items, q = (0.2, 0.8), one draw per step, α = 1: after step 1 the drawn item has gap 1
    // (p̂ = 1 per step, 1 per slot) and the other none (p̂ = 0), so the error ½ Σ |p̂ − q| is the
    // other item's q: 0.2 or 0.8.
    EstimatorSimulation sim = new EstimatorSimulation(2, 1, 2, Integer.MAX_VALUE, 1, 3);
    double[] errors = sim.run(new StreamingFrequencyEstimator(1 << 10, 1, 1.0, 0));
    assertEquals(2, errors.length);
    assertEquals(
        true,
        Math.abs(errors[0] - 0.2) < 1e-12 || Math.abs(errors[0] - 0.8) < 1e-12,
        "error " + errors[0]);
  }

  @Test
  void aBandIsTheMeanSpreadAndRangeOfTheCurves() {
    EstimatorSimulation.Band b =
        EstimatorSimulation.Band.of(new double[][] {{1, 10}, {2, 20}, {6, 60}});
    assertArrayEquals(new double[] {3, 30}, b.mean(), 1e-12);
    // Sample standard deviation: sqrt(((1-3)² + (2-3)² + (6-3)²) / 2) = sqrt(7).
    assertArrayEquals(new double[] {Math.sqrt(7), 10 * Math.sqrt(7)}, b.sd(), 1e-12);
    assertArrayEquals(new double[] {1, 10}, b.min(), 0);
    assertArrayEquals(new double[] {6, 60}, b.max(), 0);
    assertEquals(30, b.finalMean(), 1e-12);
    assertArrayEquals(
        new double[] {0, 0}, EstimatorSimulation.Band.of(new double[][] {{4, 5}}).sd(), 0);
  }

  @Test
  void runManyPairsTrialRWithTheStreamOfSeedPlusR() {
    EstimatorSimulation sim = new EstimatorSimulation(50, 8, 40, Integer.MAX_VALUE, 10, 7);
    EstimatorSimulation.Band band =
        sim.runMany(r -> new StreamingFrequencyEstimator(64, 1, 0.1, r + 1), 2);
    double[] first =
        new EstimatorSimulation(50, 8, 40, Integer.MAX_VALUE, 10, 7)
            .run(new StreamingFrequencyEstimator(64, 1, 0.1, 1));
    double[] second =
        new EstimatorSimulation(50, 8, 40, Integer.MAX_VALUE, 10, 8)
            .run(new StreamingFrequencyEstimator(64, 1, 0.1, 2));
    for (int i = 0; i < first.length; i++) {
      assertEquals((first[i] + second[i]) / 2, band.mean()[i], 1e-12);
    }
    assertThrows(
        IllegalArgumentException.class,
        () -> sim.runMany(r -> new StreamingFrequencyEstimator(64, 1, 0.1, r), 0));
  }

  @Test
  void refusesDegenerateSimulations() {
    assertThrows(IllegalArgumentException.class, () -> new EstimatorSimulation(1, 8, 10, 5, 1, 1));
    assertThrows(IllegalArgumentException.class, () -> new EstimatorSimulation(5, 0, 10, 5, 1, 1));
    assertThrows(IllegalArgumentException.class, () -> new EstimatorSimulation(5, 8, 0, 5, 1, 1));
    assertThrows(IllegalArgumentException.class, () -> new EstimatorSimulation(5, 8, 10, 5, 0, 1));
    new EstimatorSimulation(2, 1, 1, 0, 1, 1);
  }

  @Test
  void sourcesNameThemselvesAndRefuseBadConfigurations() {
    assertEquals("streaming", new StreamingFrequencyEstimator(1, 1, 1.0, 0).name());
    assertEquals("counts", new ExactCounts(1).name());
    assertEquals("static", new StaticProbabilities(new double[] {1}).name());
    assertThrows(IllegalArgumentException.class, () -> new ExactCounts(0));
    assertThrows(
        IllegalArgumentException.class, () -> new StreamingFrequencyEstimator(0, 1, 0.5, 0));
    assertThrows(
        IllegalArgumentException.class, () -> new StreamingFrequencyEstimator(1 << 20, 0, 0.5, 0));
    assertThrows(
        IllegalArgumentException.class,
        () -> new StreamingFrequencyEstimator(1 << 20, 257, 0.5, 0),
        "more than 2^28 buckets in all");
    assertThrows(IllegalArgumentException.class, () -> new StreamingFrequencyEstimator(8, 1, 0, 0));
    assertThrows(
        IllegalArgumentException.class, () -> new StreamingFrequencyEstimator(8, 1, 1.01, 0));
    for (double w : new double[] {-1, Double.NaN, Double.POSITIVE_INFINITY}) {
      assertThrows(
          IllegalArgumentException.class, () -> new StaticProbabilities(new double[] {1, w}));
    }
    assertThrows(IllegalArgumentException.class, () -> new StaticProbabilities(new double[] {0}));
    StreamingFrequencyEstimator e = new StreamingFrequencyEstimator(8, 1, 0.5, 0);
    assertThrows(IllegalArgumentException.class, () -> e.update(new int[] {-1}, 1));
    // Item 0 under seed 0's reference hash: bucket 0; a different seed gives other multipliers.
    assertEquals(0, e.bucket(0, 0));
    assertEquals(StreamingFrequencyEstimator.KNUTH, StreamingFrequencyEstimator.multiplier(0, 0));
    assertEquals(
        true,
        StreamingFrequencyEstimator.multiplier(0, 1)
            != StreamingFrequencyEstimator.multiplier(1, 1));
  }
}
