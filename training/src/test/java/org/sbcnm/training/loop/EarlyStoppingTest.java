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
}
