package org.sbcnm.training.loop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

class TrainConfigTest {
  private static final TrainConfig BASE = TrainConfig.defaults();

  @Test
  void everyRangeIsCheckedAtBothEnds() {
    List<UnaryOperator<TrainConfig.Builder>> bad =
        List.of(
            b -> b.epochs(0),
            b -> b.epochs(100_001),
            b -> b.batchSize(1),
            b -> b.batchSize((1 << 16) + 1),
            b -> b.lr(-1e-3),
            b -> b.lr(Double.POSITIVE_INFINITY),
            b -> b.weightDecay(-0.5),
            b -> b.weightDecay(Double.NaN),
            b -> b.weightDecay(Double.POSITIVE_INFINITY),
            b -> b.fullSoftmax(true).mixedNegatives(1),
            b -> b.fullSoftmax(true).hardNegatives(1),
            b -> b.hashBuckets(1000),
            b -> b.hashes(0),
            b -> b.hashes(65),
            b -> b.alpha(0),
            b -> b.alpha(1.5),
            b -> b.alpha(1),
            b -> b.hardNegatives(-1),
            b -> b.hardNegatives(1001),
            b -> b.mixedNegatives(-1),
            b -> b.mixedNegatives((1 << 16) + 1),
            b -> b.historyLength(0),
            b -> b.historyLength(10_001),
            b -> b.patience(-1),
            b -> b.patience(2),
            b -> b.threads(0),
            b -> b.threads(1025),
            b -> b.checkpointEvery(-1),
            b -> b.stopAfterSteps(-1),
            b -> b.ks(new int[0]),
            b -> b.ks(new int[] {0}),
            b -> b.earlyStopMetric("precision@10"));
    for (int k = 0; k < bad.size(); k++) {
      UnaryOperator<TrainConfig.Builder> change = bad.get(k);
      assertThrows(
          IllegalArgumentException.class,
          () -> change.apply(BASE.toBuilder()).build(),
          "case " + k);
    }
    // The ends themselves are fine.
    TrainConfig edge =
        BASE.toBuilder()
            .epochs(100_000)
            .batchSize(2)
            .hashes(64)
            .alpha(0.999)
            .hardNegatives(1000)
            .historyLength(10_000)
            .threads(1024)
            .patience(100_000)
            .validation(true)
            .ks(new int[] {1})
            .earlyStopMetric("ndcg@1")
            .build();
    assertEquals(100_000, edge.epochs());
  }

  @Test
  void roundTripsThroughItsMapAndDefaultsTheLearningRate() {
    TrainConfig c =
        BASE.toBuilder()
            .optimizer(OptimizerKind.parse("LazyAdam"))
            .validation(true)
            .patience(3)
            .lr(0)
            .build();
    assertEquals(OptimizerKind.LAZYADAM, c.optimizer().kind());
    // Saved with the values in force, so a later change of the defaults cannot touch a resume.
    assertEquals(c.toBuilder().lr(3e-3).weightDecay(0).build(), TrainConfig.fromMap(c.toMap()));
    assertEquals("0.003", c.toMap().get("lr"));
    assertEquals("0.0", c.toMap().get("weight_decay"));
    TrainConfig.Builder decayed =
        c.toBuilder().optimizer(OptimizerKind.ADAMW).lr(0.01).weightDecay(0.2).fullSoftmax(true);
    assertEquals(decayed.build(), TrainConfig.fromMap(decayed.build().toMap()));
    assertEquals(3e-3, c.optimizer().effectiveLr());
    assertEquals(
        0.01,
        BASE.toBuilder().optimizer(OptimizerKind.ADAMW).build().optimizer().effectiveWeightDecay());
    assertEquals(0.0, BASE.optimizer().effectiveWeightDecay());
    // A checkpoint from before the saved weight decay kept "lr 0" for Adam's default then, 1e-3.
    java.util.Map<String, String> legacy = new java.util.LinkedHashMap<>(c.toMap());
    legacy.remove("weight_decay");
    legacy.remove("full_softmax");
    legacy.put("lr", "0.0");
    TrainConfig before = TrainConfig.fromMap(legacy);
    assertEquals(1e-3, before.optimizer().effectiveLr());
    assertEquals(OptimizerConfig.DEFAULT_DECAY, before.optimizer().weightDecay());
    assertEquals(false, before.negatives().fullSoftmax());
    legacy.put("optimizer", "adagrad");
    assertEquals(0.1, TrainConfig.fromMap(legacy).optimizer().effectiveLr());
    assertEquals(
        0.1, BASE.toBuilder().optimizer(OptimizerKind.ADAGRAD).build().optimizer().effectiveLr());
    assertEquals(
        0.05, BASE.toBuilder().optimizer(OptimizerKind.SGD).build().optimizer().effectiveLr());
    assertEquals(0.02, BASE.toBuilder().lr(0.02).build().optimizer().effectiveLr());
    assertNotEquals(c, BASE);
    // A checkpoint from before the validation split: early stopping implies it.
    java.util.Map<String, String> old = new java.util.LinkedHashMap<>(c.toMap());
    old.remove("validation");
    assertTrue(TrainConfig.fromMap(old).evaluation().validation());
    old.put("patience", "0");
    assertEquals(false, TrainConfig.fromMap(old).evaluation().validation());
  }

  @Test
  void aDamagedSavedConfigNamesTheKey() {
    java.util.Map<String, String> m = new java.util.LinkedHashMap<>(BASE.toMap());
    m.remove("epochs");
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> TrainConfig.fromMap(m));
    assertEquals("training config lacks 'epochs'", e.getMessage());
    m.putAll(BASE.toMap());
    m.put("batch_size", "many");
    e = assertThrows(IllegalArgumentException.class, () -> TrainConfig.fromMap(m));
    assertEquals("training config 'batch_size' = 'many' is not a whole number", e.getMessage());
    m.putAll(BASE.toMap());
    m.put("hashes", "4294967297");
    e = assertThrows(IllegalArgumentException.class, () -> TrainConfig.fromMap(m));
    assertEquals("training config 'hashes' = 4294967297 is out of range", e.getMessage());
    m.putAll(BASE.toMap());
    m.put("ks", "10,x");
    assertThrows(IllegalArgumentException.class, () -> TrainConfig.fromMap(m));
    m.putAll(BASE.toMap());
    m.put("optimizer", "rmsprop");
    e = assertThrows(IllegalArgumentException.class, () -> TrainConfig.fromMap(m));
    assertEquals(
        "optimizer must be adam, lazyadam, adamw, adagrad or sgd, got 'rmsprop'", e.getMessage());
    m.putAll(BASE.toMap());
    m.put("correction", "sometimes");
    e = assertThrows(IllegalArgumentException.class, () -> TrainConfig.fromMap(m));
    assertEquals(
        "correction must be streaming, counts, static or none, got 'sometimes'", e.getMessage());
    m.putAll(BASE.toMap());
    m.put("dropout", "0.5");
    e = assertThrows(IllegalArgumentException.class, () -> TrainConfig.fromMap(m));
    assertEquals("training config has an unknown key 'dropout'", e.getMessage());
    m.remove("dropout");
    m.put("lr", "fast");
    e = assertThrows(IllegalArgumentException.class, () -> TrainConfig.fromMap(m));
    assertEquals("training config 'lr' = 'fast' is not a number", e.getMessage());
  }
}
