package org.sbcnm.training.loop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class EarlyStoppingTest {
  @Test
  void higherIsBetterForARecallAndTiesDoNotImprove() {
    EarlyStopping s = new EarlyStopping("recall@50", 2);
    assertTrue(s.record(0.3), "the first epoch improves");
    assertTrue(s.record(0.4));
    assertFalse(s.record(0.4), "a tie is no gain");
    assertFalse(s.shouldStop());
    assertEquals(1, s.badEpochs());
    assertFalse(s.record(0.35));
    assertTrue(s.shouldStop(), "two epochs without gain at patience 2");
    assertEquals(0.4, s.best());
    assertTrue(s.record(0.41));
    assertFalse(s.shouldStop());
    assertEquals(0, s.badEpochs());
  }

  @Test
  void lowerIsBetterForTheLoss() {
    EarlyStopping s = new EarlyStopping("loss", 1);
    assertTrue(s.record(5.0));
    assertTrue(s.record(4.0));
    assertFalse(s.record(4.5));
    assertTrue(s.shouldStop());
    assertEquals(4.0, s.best());
  }

  @Test
  void patienceZeroNeverStopsAndStateRestores() {
    EarlyStopping s = new EarlyStopping("mrr", 0);
    s.record(1);
    for (int e = 0; e < 10; e++) {
      s.record(0);
    }
    assertFalse(s.shouldStop());
    EarlyStopping r = new EarlyStopping("mrr", 3);
    r.restore(0.7, 2);
    assertEquals(0.7, r.best());
    assertFalse(r.record(0.6));
    assertTrue(r.shouldStop(), "2 bad epochs saved + 1");
    assertTrue(Double.isNaN(new EarlyStopping("mrr", 1).best()));
    assertThrows(IllegalArgumentException.class, () -> new EarlyStopping("mrr", -1));
  }

  @Test
  void keepsTheBestEpochsParametersAndPutsThemBack() {
    org.sbcnm.engine.param.Parameter w =
        new org.sbcnm.engine.param.Parameter(
            "w", org.sbcnm.engine.tensor.Tensor.wrap(new float[] {1, 2}, 1, 2), true);
    java.util.List<org.sbcnm.engine.param.Parameter> params = java.util.List.of(w);
    EarlyStopping s = new EarlyStopping("recall@10", 2);
    org.junit.jupiter.api.Assertions.assertNull(s.bestParams());
    s.restoreBest(params); // nothing kept: no change
    org.junit.jupiter.api.Assertions.assertArrayEquals(new float[] {1, 2}, w.value().floats());
    org.junit.jupiter.api.Assertions.assertFalse(
        s.track("recall@10", java.util.Map.of("recall@10", 0.5), 9, params));
    w.value().set(0, 0, 7);
    org.junit.jupiter.api.Assertions.assertFalse(
        s.track("recall@10", java.util.Map.of("recall@10", 0.4), 9, params));
    org.junit.jupiter.api.Assertions.assertTrue(
        s.track("recall@10", java.util.Map.of("recall@10", 0.5), 9, params), "two without gain");
    s.restoreBest(params);
    org.junit.jupiter.api.Assertions.assertArrayEquals(new float[] {1, 2}, w.value().floats());
    EarlyStopping byLoss = new EarlyStopping("loss", 1);
    org.junit.jupiter.api.Assertions.assertFalse(
        byLoss.track("loss", java.util.Map.of(), 3, params));
    org.junit.jupiter.api.Assertions.assertTrue(
        byLoss.track("loss", java.util.Map.of(), 3, params));
    IllegalArgumentException e =
        org.junit.jupiter.api.Assertions.assertThrows(
            IllegalArgumentException.class,
            () -> s.track("ndcg@5", java.util.Map.of("recall@10", 0.5), 9, params));
    org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("ndcg@5"), e.getMessage());
  }
}
