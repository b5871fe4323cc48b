package org.sbcnm.towers.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class ConfigTest {
  private static final TowerConfig MLP = TowerConfig.defaults(TowerKind.MLP);

  @Test
  void towerWidthsAndDepthsAreCheckedAtBothEnds() {
    List<Supplier<TowerConfig>> bad =
        List.of(
            () -> MLP.withWidths(0, 1, 1),
            () -> MLP.withWidths(1, 0, 1),
            () -> MLP.withWidths(1, 1, 0),
            () -> MLP.withWidths(65_537, 1, 1),
            () -> MLP.withIdDim(0),
            () -> MLP.withIdDim(65_537),
            () -> new TowerConfig(TowerKind.ID, 8, 8, 8, 8, 0, 1, 1, 0, false),
            () -> MLP.withCrossLayers(0),
            () -> MLP.withGcnLayers(0),
            () -> MLP.withHashBuckets(-1),
            () -> MLP.withKind(null));
    for (int k = 0; k < bad.size(); k++) {
      Supplier<TowerConfig> make = bad.get(k);
      assertThrows(IllegalArgumentException.class, make::get, "case " + k);
    }
    TowerConfig edge = MLP.withWidths(1, 65_536, 1).withIdDim(65_536).withHashBuckets(0);
    assertEquals(65_536, edge.h2());
  }

  @Test
  void aModelConfigRoundTripsThroughItsMap() {
    ModelConfig c =
        new ModelConfig(
            TowerConfig.defaults(TowerKind.ID).withHashBuckets(1024).withDense(true).withIdDim(16),
            TowerConfig.defaults(TowerKind.GCN).withGcnLayers(3),
            0.07,
            99);
    assertEquals(c, ModelConfig.fromMap(c.toMap()));
    java.util.Map<String, String> extra = new java.util.LinkedHashMap<>(c.toMap());
    extra.put("query.dropout", "0.5");
    assertEquals(
        "model config has an unknown key 'query.dropout'",
        org.junit.jupiter.api.Assertions.assertThrows(
                IllegalArgumentException.class, () -> ModelConfig.fromMap(extra))
            .getMessage());
    assertEquals("id", c.toMap().get("query.kind"));
    assertEquals("gcn", c.toMap().get("item.kind"));
    assertEquals("1024", c.toMap().get("query.hash_buckets"));
    assertEquals("0.07", c.toMap().get("temperature"));
    for (TowerKind k : TowerKind.values()) {
      assertEquals(k, TowerKind.parse(k.label()));
      assertEquals(k, TowerKind.parse(k.label().toUpperCase(java.util.Locale.ROOT)));
    }
    assertThrows(IllegalArgumentException.class, () -> TowerKind.parse("transformer"));
  }

  @Test
  void aModelConfigRefusesTowerPairsThatCannotWork() {
    TowerConfig id = TowerConfig.defaults(TowerKind.ID);
    assertThrows(IllegalArgumentException.class, () -> new ModelConfig(null, MLP, 0.1, 1));
    assertThrows(
        IllegalArgumentException.class,
        () -> new ModelConfig(TowerConfig.defaults(TowerKind.GCN), MLP, 0.1, 1));
    assertThrows(
        IllegalArgumentException.class,
        () -> new ModelConfig(id, TowerConfig.defaults(TowerKind.HISTORY), 0.1, 1));
    assertThrows(
        IllegalArgumentException.class,
        () -> new ModelConfig(id, MLP.withWidths(8, 8, 32), 0.1, 1));
    assertThrows(IllegalArgumentException.class, () -> new ModelConfig(id, MLP, 0, 1));
    assertThrows(
        IllegalArgumentException.class,
        () -> new ModelConfig(id, MLP, Double.POSITIVE_INFINITY, 1));
  }
}
