package org.sbcnm.training.loop;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sbcnm.datasets.prepared.PreparedDataset;
import org.sbcnm.datasets.synthetic.SyntheticConfig;
import org.sbcnm.datasets.synthetic.SyntheticGenerator;
import org.sbcnm.engine.param.Parameter;
import org.sbcnm.towers.config.ModelConfig;
import org.sbcnm.towers.config.TowerConfig;
import org.sbcnm.towers.config.TowerKind;
import org.sbcnm.towers.tower.TwoTowerModel;

/** The parameter count from shapes alone, against the model actually built. */
class ModelsTest {
  private static final PreparedDataset DATA =
      SyntheticGenerator.generate(new SyntheticConfig(30, 20, 5, 4, 4, 1.1, 1.0, 0.3, 0.5, 3, 9));

  private static ModelConfig config(
      TowerKind query, TowerKind item, boolean hashed, boolean dense) {
    TowerConfig base = TowerConfig.defaults(TowerKind.MLP).withWidths(12, 10, 6).withIdDim(7);
    return new ModelConfig(
        base.withKind(query).withCrossLayers(2).withHashBuckets(hashed ? 64 : 0).withDense(dense),
        base.withKind(item).withCrossLayers(3),
        0.05,
        1);
  }

  private static long built(ModelConfig c) {
    TwoTowerModel m = Models.build(c, DATA);
    long n = 0;
    for (Parameter p : m.parameters()) {
      n += p.value().size();
    }
    return n;
  }

  @Test
  void parameterCountEqualsTheBuiltModelForEveryKind() {
    for (TowerKind q : TowerKind.QUERY) {
      for (TowerKind i : TowerKind.ITEM) {
        for (boolean hashed : new boolean[] {false, true}) {
          for (boolean dense : new boolean[] {false, true}) {
            ModelConfig c = config(q, i, hashed, dense);
            if (q == TowerKind.HISTORY && (i == TowerKind.ID || i == TowerKind.LIGHTGCN)) {
              continue; // the bag shares the item tower's table when the widths match
            }
            assertEquals(
                built(c),
                Models.parameterCount(c, DATA),
                q + "/" + i + " hashed " + hashed + " dense " + dense);
          }
        }
      }
    }
  }

  @Test
  void theLargestBlockNamesItsSource() {
    ModelConfig c = config(TowerKind.ID, TowerKind.MLP, true, false);
    Models.Part largest =
        Models.parts(c, DATA).stream()
            .max(java.util.Comparator.comparingLong(Models.Part::elements))
            .orElseThrow();
    assertEquals(64L * 7, largest.elements());
    assertEquals("id_hash_buckets 64: a table of 64 x 7", largest.source());
  }

  @Test
  void sizesSaturateInsteadOfOverflowing() {
    assertEquals(Long.MAX_VALUE, Models.times(1L << 40, 1L << 40));
    assertEquals(Long.MAX_VALUE, Models.times(-1, 1));
    assertEquals(6, Models.times(2, 3));
    assertEquals(Long.MAX_VALUE, Models.plus(Long.MAX_VALUE, 1));
    assertEquals(5, Models.plus(2, 3));
  }

  @Test
  void aFileTooSmallForItsConfigIsRefused(@TempDir Path dir) throws IOException {
    ModelConfig c = config(TowerKind.ID, TowerKind.MLP, false, false);
    long bytes = 4 * Models.parameterCount(c, DATA);
    Path exact = Files.write(dir.resolve("exact"), new byte[(int) bytes]);
    assertDoesNotThrow(() -> Models.requirePlausible(c, DATA, exact));
    Path short1 = Files.write(dir.resolve("short"), new byte[(int) bytes - 1]);
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> Models.requirePlausible(c, DATA, short1));
    assertTrue(
        e.getMessage().contains("needs") && e.getMessage().contains("holds"), e.getMessage());
  }

  @Test
  void aModelPastTheHeapIsRefusedBeforeItIsBuilt() {
    ModelConfig c =
        new ModelConfig(
            TowerConfig.defaults(TowerKind.ID).withIdDim(1 << 16).withHashBuckets(1 << 20),
            TowerConfig.defaults(TowerKind.MLP),
            0.05,
            1);
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Models.build(c, DATA));
    assertTrue(
        e.getMessage().startsWith("the model's parameters (largest: id_hash_buckets"),
        e.getMessage());
  }

  @Test
  void aTowerThatReadsFeaturesIsRefusedOverNone() {
    PreparedDataset none =
        new PreparedDataset(
            org.sbcnm.engine.tensor.Tensor.zeros(DATA.numUsers(), 0),
            DATA.itemFeatures(),
            DATA.users(),
            DATA.items(),
            DATA.interactions(),
            null,
            null,
            null,
            "");
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> Models.build(config(TowerKind.MLP, TowerKind.MLP, false, false), none));
    assertEquals(
        "q_feats.npy has no feature columns, but the mlp tower reads them (an id tower does not)",
        e.getMessage());
    assertThrows(
        IllegalArgumentException.class,
        () -> Models.build(config(TowerKind.ID, TowerKind.MLP, false, true), none));
    assertDoesNotThrow(() -> Models.build(config(TowerKind.ID, TowerKind.MLP, false, false), none));
  }
}
