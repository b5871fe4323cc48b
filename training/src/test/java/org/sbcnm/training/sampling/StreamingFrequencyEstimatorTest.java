package org.sbcnm.training.sampling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.sbcnm.engine.io.TensorBundle;

class StreamingFrequencyEstimatorTest {
  @Test
  void reproducesThePyTorchTraceExactly() throws IOException {
    JsonNode root;
    try (InputStream in = getClass().getResourceAsStream("/testvectors/freq_estimator.json")) {
      root = new ObjectMapper().readTree(in);
    }
    for (JsonNode c : root.get("cases")) {
      StreamingFrequencyEstimator est =
          new StreamingFrequencyEstimator(c.get("H").asInt(), 1, c.get("alpha").asDouble(), 0);
      for (JsonNode step : c.get("steps")) {
        int[] items = new int[step.get("items").size()];
        for (int k = 0; k < items.length; k++) {
          items[k] = step.get("items").get(k).asInt();
        }
        est.update(items, items.length);
        assertEquals(step.get("t").asLong(), est.step());
        for (int k = 0; k < items.length; k++) {
          assertEquals(
              step.get("hashes").get(k).asInt(), est.bucket(0, items[k]), "hash of " + items[k]);
          assertEquals(
              step.get("p").get(k).asDouble(),
              est.rate(items[k]),
              0.0,
              "p at t=" + est.step() + " pos " + k);
          double logRate = step.get("log_p").get(k).asDouble();
          assertEquals(logRate, Math.log(est.rate(items[k])), 1e-15);
          // Per batch slot: the rate divided by the mean batch size so far.
          double meanSlots = (double) est.slots() / est.step();
          assertEquals(logRate - Math.log(meanSlots), est.logProbability(items[k]), 1e-12);
        }
      }
    }
  }

  @Test
  void tracksKnownFrequenciesWithinFivePercent() {
    // Each step, head item j (j < 50) is in the batch with probability p_j, at most once, so the
    // gap
    // between its sightings is geometric with mean 1/p_j: the quantity Algorithm 2 tracks. 950
    // tail items fill the rest of each batch. A small α keeps the estimate's noise near 1%.
    int head = 50;
    double[] p = new double[head];
    for (int j = 0; j < head; j++) {
      p[j] = 0.9 / Math.sqrt(j + 1);
    }
    StreamingFrequencyEstimator est = new StreamingFrequencyEstimator(1 << 20, 1, 0.0002, 0);
    SplittableRandom rng = new SplittableRandom(11);
    int[] batch = new int[128];
    for (int step = 0; step < 250_000; step++) {
      int n = 0;
      for (int j = 0; j < head; j++) {
        if (rng.nextDouble() < p[j]) {
          batch[n++] = j;
        }
      }
      while (n < 64) {
        batch[n++] = head + rng.nextInt(950);
      }
      est.update(batch, n);
    }
    for (int j = 0; j < head; j++) {
      double rel = Math.abs(est.rate(j) - p[j]) / p[j];
      assertTrue(rel < 0.05, "item " + j + ": p̂ " + est.rate(j) + " vs " + p[j]);
    }
  }

  @Test
  void moreHashesBoundTheDamageOfABadHashAtEqualMemory() {
    // The paper's simulation (§6.1) with 1,000 items in 1,024 buckets in all, over 10 hash seeds
    // (the same sampling streams for every m). What holds on average: two hashes spread far less
    // across seeds than one (a bad multiplier sends most items to a few buckets, and the largest
    // gap over two tables discards it), with a lower worst case; four arrays of 256 buckets are
    // worse than two of 512. The best single hash still beats the best pair.
    EstimatorSimulation sim = new EstimatorSimulation(1000, 128, 3000, Integer.MAX_VALUE, 1000, 1);
    EstimatorSimulation.Band one = sim.runMany(r -> estimator(1, r), 10);
    EstimatorSimulation.Band two = sim.runMany(r -> estimator(2, r), 10);
    EstimatorSimulation.Band four = sim.runMany(r -> estimator(4, r), 10);
    int last = one.mean().length - 1;
    assertTrue(
        two.sd()[last] < one.sd()[last] / 2,
        "sd m=2 " + two.sd()[last] + " vs m=1 " + one.sd()[last]);
    assertTrue(
        two.max()[last] < one.max()[last],
        "worst m=2 " + two.max()[last] + " vs " + one.max()[last]);
    assertTrue(
        two.mean()[last] < one.mean()[last],
        "mean m=2 " + two.mean()[last] + " vs " + one.mean()[last]);
    assertTrue(
        four.mean()[last] > two.mean()[last],
        "mean m=4 " + four.mean()[last] + " vs m=2 " + two.mean()[last]);
  }

  private static StreamingFrequencyEstimator estimator(int hashes, int trial) {
    long seed = org.sbcnm.engine.param.Seeds.mix64(0x9E3779B97F4A7C15L + trial) | 1L;
    return new StreamingFrequencyEstimator(1024 / hashes, hashes, 0.01, seed);
  }

  @Test
  void largerAlphaReconvergesFasterAfterTheSwitch() {
    EstimatorSimulation sim = new EstimatorSimulation(1000, 128, 11_000, 10_000, 500, 1);
    double[] slow = sim.run(new StreamingFrequencyEstimator(1 << 16, 1, 0.01, 0));
    double[] fast = sim.run(new StreamingFrequencyEstimator(1 << 16, 1, 0.1, 0));
    // 500 steps after the switch (index 20): the fast learner has mostly caught up.
    assertTrue(fast[20] < slow[20] / 2, "α=0.1 " + fast[20] + " vs α=0.01 " + slow[20]);
    // Before the switch, in steady state, the slow learner is less noisy.
    assertTrue(slow[19] < fast[19], "steady state: α=0.01 " + slow[19] + " vs α=0.1 " + fast[19]);
  }

  @Test
  void stateRoundTripsThroughABundle() {
    StreamingFrequencyEstimator a = new StreamingFrequencyEstimator(64, 2, 0.1, 5);
    a.update(new int[] {1, 2, 3, 1}, 4);
    a.update(new int[] {7, 1}, 2);
    TensorBundle b = new TensorBundle();
    a.save(b, "est/");
    StreamingFrequencyEstimator c = new StreamingFrequencyEstimator(64, 2, 0.1, 5);
    c.load(b, "est/");
    assertEquals(a.step(), c.step());
    for (int i = 0; i < 10; i++) {
      assertEquals(a.gap(i), c.gap(i));
    }
    StreamingFrequencyEstimator other = new StreamingFrequencyEstimator(64, 1, 0.1, 5);
    assertThrows(IllegalArgumentException.class, () -> other.load(b, "est/"));
    assertThrows(
        IllegalArgumentException.class, () -> new StreamingFrequencyEstimator(100, 1, 0.1, 0));
  }

  @Test
  void aDamagedSavedStateIsRefused() {
    StreamingFrequencyEstimator a = new StreamingFrequencyEstimator(8, 1, 0.1, 5);
    a.update(new int[] {1, 2, 3, 1}, 4);
    a.update(new int[] {7, 1}, 2);
    java.util.function.Consumer<java.util.function.Consumer<TensorBundle>> refused =
        damage -> {
          TensorBundle b = new TensorBundle();
          a.save(b, "est/");
          damage.accept(b);
          StreamingFrequencyEstimator c = new StreamingFrequencyEstimator(8, 1, 0.1, 5);
          assertThrows(IllegalArgumentException.class, () -> c.load(b, "est/"));
        };
    refused.accept(b -> b.putLongs("est/A", new long[7], 1, 7));
    refused.accept(b -> b.putDoubles("est/B", new double[9]));
    refused.accept(b -> b.putLongs("est/t", new long[] {2, 2}, 1, 2));
    refused.accept(b -> b.putLongs("est/slots", new long[0], 1, 0));
    long[] ahead = new long[8];
    ahead[3] = 3; // last seen at step 3 of a state at step 2
    refused.accept(b -> b.putLongs("est/A", ahead, 1, 8));
    long[] negative = new long[8];
    negative[0] = -1;
    refused.accept(b -> b.putLongs("est/A", negative, 1, 8));
    for (double bad : new double[] {-1, Double.NaN, Double.POSITIVE_INFINITY}) {
      double[] gaps = new double[8];
      gaps[5] = bad;
      refused.accept(b -> b.putDoubles("est/B", gaps));
    }
    // The undamaged state, with A at the current step itself, loads.
    TensorBundle b = new TensorBundle();
    a.save(b, "est/");
    StreamingFrequencyEstimator c = new StreamingFrequencyEstimator(8, 1, 0.1, 5);
    c.load(b, "est/");
    assertEquals(2, c.step());
  }

  @Test
  void handlesStepsBeyondIntRange() {
    StreamingFrequencyEstimator a = new StreamingFrequencyEstimator(8, 1, 0.5, 0);
    TensorBundle b = new TensorBundle();
    a.save(b, "");
    b.putLongs("t", new long[] {Integer.MAX_VALUE * 3L}, 1, 1);
    a.load(b, "");
    a.update(new int[] {1}, 1);
    a.update(new int[] {1}, 1);
    // Gap after the first sighting is t (≈ 6.4e9), then one step: B = 0.5·(0.5·t) + 0.5·1.
    double t = Integer.MAX_VALUE * 3.0 + 1;
    assertEquals(0.25 * t + 0.5, a.gap(1), 1e-6 * t);
  }
}
