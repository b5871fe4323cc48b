package org.sbcnm.training.sampling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.sbcnm.datasets.batch.ColumnProbabilities;
import org.sbcnm.engine.io.TensorBundle;

/**
 * Every probability source in the documented unit (the probability that one batch slot holds item
 * j), its floor for items without evidence, and the mixed-negative mixture, each against a hand
 * computation.
 */
class SamplingProbabilitiesTest {
  private static final double EPS = 1e-6;

  @Test
  void exactCountsGivePerSlotFrequenciesWithAFloorOfOneOccurrence() {
    ExactCounts counts = new ExactCounts(6);
    assertEquals(0.0, counts.logProbability(3), 0.0, "before any batch: p = 1");
    float[] logP = new float[4];
    counts.observe(new int[] {0, 1, 1, 2}, 4, logP);
    counts.observe(new int[] {1, 0, 1, 4}, 4, logP);
    // 8 slots: item 1 four times, item 0 twice, items 2 and 4 once, items 3 and 5 never.
    assertEquals(Math.log(4 / 8.0), counts.logProbability(1), EPS);
    assertEquals(Math.log(2 / 8.0), counts.logProbability(0), EPS);
    assertEquals(Math.log(1 / 8.0), counts.logProbability(2), EPS);
    assertEquals(Math.log(1 / 8.0), counts.logProbability(5), EPS, "floor: one occurrence");
    assertEquals(Math.log(4 / 8.0), logP[0], EPS);
    assertEquals(Math.log(2 / 8.0), logP[1], EPS);
    assertEquals(Math.log(1 / 8.0), logP[3], EPS);
  }

  @Test
  void staticProbabilitiesNormaliseTheWeightsWithAFloorOfTheSmallestOne() {
    StaticProbabilities p = new StaticProbabilities(new double[] {6, 0, 3, 1});
    assertEquals(Math.log(0.6), p.logProbability(0), EPS);
    assertEquals(Math.log(0.3), p.logProbability(2), EPS);
    assertEquals(Math.log(0.1), p.logProbability(3), EPS);
    assertEquals(Math.log(0.1), p.logProbability(1), EPS, "weight 0: the smallest positive");
    float[] logP = new float[2];
    p.observe(new int[] {2, 0}, 2, logP);
    assertEquals(Math.log(0.3), logP[0], EPS);
    assertEquals(Math.log(0.6), logP[1], EPS);
  }

  @Test
  void streamingEstimatorDividesTheRateByTheMeanBatchSize() {
    // α = 0.5, one hash over 2^16 buckets (no collision among 0..9 with the reference hash).
    StreamingFrequencyEstimator est = new StreamingFrequencyEstimator(1 << 16, 1, 0.5, 0);
    assertEquals(0.0, est.logProbability(1), 0.0, "before any batch: p = 1");
    float[] logP = new float[4];
    est.observe(new int[] {1, 2, 2, 3}, 4, logP);
    // t = 1: item 1 gap 0.5·1 = 0.5; item 2 first 0.5, then 0.5·0.5 + 0.5·0 = 0.25.
    assertEquals(-Math.log(0.5 * 4), logP[0], EPS);
    assertEquals(-Math.log(0.25 * 4), logP[2], EPS);
    est.observe(new int[] {1, 4}, 2, logP);
    // t = 2, 6 slots in 2 steps (mean 3): item 1 gap 0.5·0.5 + 0.5·(2 − 1) = 0.75.
    assertEquals(0.75, est.gap(1), 1e-12);
    assertEquals(-Math.log(0.75 * 3), est.logProbability(1), EPS);
    assertEquals(-Math.log(0.75 * 3), logP[0], EPS);
    // Never seen: the largest gap the estimator can hold, t = 2, so p = 1 / (slots seen).
    assertEquals(-Math.log(6), est.logProbability(9), EPS);
    for (int j = 0; j < 10; j++) {
      assertTrue(est.logProbability(j) >= -Math.log(6) - EPS, "the floor bounds item " + j);
    }
  }

  @Test
  void streamingEstimatesSumToAboutOneOverTheCatalogue() {
    // The unit check: per-slot probabilities of a stationary stream sum to about 1.
    int items = 200;
    StreamingFrequencyEstimator est = new StreamingFrequencyEstimator(1 << 16, 1, 0.01, 0);
    SplittableRandom rng = new SplittableRandom(3);
    int[] batch = new int[64];
    for (int step = 0; step < 20_000; step++) {
      for (int r = 0; r < batch.length; r++) {
        batch[r] = rng.nextInt(items);
      }
      est.update(batch, batch.length);
    }
    double sum = 0;
    for (int j = 0; j < items; j++) {
      sum += Math.exp(est.logProbability(j));
    }
    assertEquals(1.0, sum, 0.1);
  }

  @Test
  void slotsSurviveACheckpointAndAnOlderOneTakesTheNextBatchSize() {
    StreamingFrequencyEstimator a = new StreamingFrequencyEstimator(64, 1, 0.5, 0);
    a.update(new int[] {1, 2, 3, 4}, 4);
    TensorBundle b = new TensorBundle();
    a.save(b, "p/");
    StreamingFrequencyEstimator c = new StreamingFrequencyEstimator(64, 1, 0.5, 0);
    c.load(b, "p/");
    assertEquals(4, c.slots());
    assertEquals(a.logProbability(1), c.logProbability(1), 0.0);

    TensorBundle older = new TensorBundle();
    for (String meta : new String[] {"kind", "buckets", "hashes", "alpha", "seed"}) {
      older.meta("p/" + meta, b.meta("p/" + meta));
    }
    older.putLongs("p/A", b.longs("p/A"), 1, 64);
    older.putDoubles("p/B", b.doubles("p/B"));
    older.putLongs("p/t", b.longs("p/t"), 1, 1);
    StreamingFrequencyEstimator d = new StreamingFrequencyEstimator(64, 1, 0.5, 0);
    d.load(older, "p/");
    d.update(new int[] {1, 2, 3, 4}, 4);
    a.update(new int[] {1, 2, 3, 4}, 4);
    assertEquals(8, d.slots());
    assertEquals(a.logProbability(1), d.logProbability(1), 0.0);
  }

  @Test
  void theMixtureIsTheExpectedShareOfEachColumn() {
    // m = 4 in-batch slots, u = 2 uniform extras over N = 10 items.
    float[] logP = {(float) Math.log(0.5), (float) Math.log(0.01), (float) Math.log(0.2)};
    ColumnProbabilities.logMixtureInPlace(logP, 3, 4, 2, 10);
    assertEquals(Math.log((4 * 0.5 + 0.2) / 6), logP[0], EPS);
    assertEquals(Math.log((4 * 0.01 + 0.2) / 6), logP[1], EPS);
    assertEquals(Math.log((4 * 0.2 + 0.2) / 6), logP[2], EPS);
    float[] unchanged = {-1f, -2f};
    ColumnProbabilities.logMixtureInPlace(unchanged, 2, 4, 0, 10);
    assertEquals(-1f, unchanged[0]);
    assertEquals(-2f, unchanged[1]);
  }

  @Test
  void bothEstimatorsGiveAFiniteMixtureForAnItemTheyNeverSaw() {
    // The defect this guards: an unseen uniform negative had log p = +inf under the streaming
    // estimator, so its mixed log q was +inf and its column dropped out of the softmax. (Static
    // probabilities have their floor tested above.)
    int numItems = 1000;
    SamplingProbabilities[] sources = {
      new StreamingFrequencyEstimator(1 << 16, 1, 0.01, 0), new ExactCounts(numItems)
    };
    for (SamplingProbabilities p : sources) {
      float[] logP = new float[4];
      p.observe(new int[] {0, 1, 2, 3}, 4, logP);
      float mixed = ColumnProbabilities.logMixture(p.logProbability(999), 4, 2, numItems);
      assertTrue(Float.isFinite(mixed), p.name() + ": " + mixed);
      // One occurrence among 4 slots is the floor: p̂ = 1/4, so m·p̂ = 1.
      assertEquals(Math.log((1 + 2.0 / numItems) / 6), mixed, EPS, p.name());
    }
  }
}
