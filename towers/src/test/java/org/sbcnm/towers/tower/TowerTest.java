package org.sbcnm.towers.tower;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.sbcnm.engine.autograd.Tape;
import org.sbcnm.engine.io.TensorBundle;
import org.sbcnm.engine.sparse.CsrMatrix;
import org.sbcnm.engine.tensor.DType;
import org.sbcnm.engine.tensor.Tensor;
import org.sbcnm.engine.testing.GradCheck;
import org.sbcnm.engine.testing.RandomTensors;
import org.sbcnm.towers.config.ModelConfig;
import org.sbcnm.towers.config.TowerConfig;
import org.sbcnm.towers.config.TowerKind;

/** Hashed ID towers follow the raw id: an unseen entity is served as a known one would be. */
class TowerTest {
  private static final int USERS = 6;
  private static final long[] KEYS = {101L, -7L, 5_000_000_000L, 42L, 9L, Long.MIN_VALUE};
  private static final int[] SIDE = {0, 1, 1, 0, 2, 1, 0, 0, 1, 1, 2, 0};
  private static final int[] CARDS = {3, 2};

  private static Tower tower(boolean useDense, long[] keys) {
    Tensor dense = RandomTensors.normal(DType.FLOAT32, USERS, 4, new SplittableRandom(3));
    TowerConfig c =
        TowerConfig.defaults(TowerKind.ID)
            .withWidths(8, 8, 4)
            .withIdDim(4)
            .withHashBuckets(16)
            .withDense(useDense);
    return new Tower(
        "query",
        c,
        new TowerData(USERS, dense, SIDE, CARDS, null, 0, keys),
        DType.FLOAT32,
        new SplittableRandom(5),
        null);
  }

  @Test
  void anUnseenEntityGetsTheEmbeddingItsRawIdKeyAndFeaturesGive() {
    for (boolean useDense : new boolean[] {false, true}) {
      Tower t = tower(useDense, KEYS);
      TowerBatch batch = new TowerBatch().set(new int[] {0, 1, 2, 3, 4, 5}, 0, USERS);
      Tape tape = new Tape();
      float[] known;
      try (Tape s = tape.begin()) {
        known = t.embed(s, batch).value().floats().clone();
      }
      Tensor dense = useDense ? t.data().dense() : null;
      float[] unseen;
      try (Tape s = tape.begin()) {
        unseen = t.embedUnseen(s, KEYS, SIDE, dense, USERS).value().floats().clone();
      }
      assertArrayEquals(known, unseen, "use_dense " + useDense);
    }
  }

  /** MLP and DCN towers embed features given directly as they embed the rows holding them. */
  @Test
  void featuresGivenDirectlyEmbedAsTheirRowsDo() {
    Tensor dense = RandomTensors.normal(DType.FLOAT32, USERS, 4, new SplittableRandom(3));
    for (TowerKind kind : new TowerKind[] {TowerKind.MLP, TowerKind.DCN}) {
      Tower t =
          new Tower(
              "query",
              TowerConfig.defaults(kind).withWidths(8, 8, 4),
              new TowerData(USERS, dense, SIDE, CARDS, null, 0, null),
              DType.FLOAT32,
              new SplittableRandom(5),
              null);
      Tape tape = new Tape();
      float[] known;
      try (Tape s = tape.begin()) {
        known =
            t.embed(s, new TowerBatch().set(new int[] {0, 1, 2, 3, 4, 5}, 0, USERS))
                .value()
                .floats()
                .clone();
      }
      float[] direct;
      try (Tape s = tape.begin()) {
        direct = t.embedFeatures(s, dense, USERS).value().floats().clone();
      }
      assertArrayEquals(known, direct, kind.label());
      try (Tape s = tape.begin()) {
        assertThrows(
            IllegalArgumentException.class,
            () -> t.embedFeatures(s, Tensor.zeros(USERS, 3), USERS));
      }
    }
    assertThrows(
        IllegalStateException.class,
        () -> tower(true, KEYS).embedFeatures(new Tape().begin(), dense, USERS));
  }

  @Test
  void theBucketFollowsTheKeyNotTheRow() {
    // The same keys in another row order give the same table rows, so the same embeddings.
    Tower a = tower(false, KEYS);
    assertEquals(a.idTable().row(KEYS[2]), a.idTable().row(5_000_000_000L));
    int differ = 0;
    for (int r = 0; r < USERS; r++) {
      if (a.idTable().row(KEYS[r]) != a.idTable().row(r)) {
        differ++;
      }
    }
    assertNotEquals(0, differ, "keys, not row indices, are hashed");
  }

  @Test
  void refusesWhatItCannotServe() {
    Tower t = tower(false, KEYS);
    Tape tape = new Tape();
    try (Tape s = tape.begin()) {
      assertThrows(
          IllegalArgumentException.class, () -> t.embedUnseen(s, new long[] {1}, null, null, 1));
      assertThrows(
          IllegalArgumentException.class,
          () -> t.embedUnseen(s, new long[] {1}, new int[] {3, 0}, null, 1),
          "code 3 of a field with 3 values");
    }
  }

  @Test
  void aCheckpointSavedWithIndexHashingDoesNotLoadIntoRawIdHashing() {
    TowerConfig q = TowerConfig.defaults(TowerKind.ID).withWidths(8, 8, 4).withIdDim(4);
    TowerConfig i = TowerConfig.defaults(TowerKind.MLP).withWidths(8, 8, 4);
    ModelConfig config = new ModelConfig(q.withHashBuckets(16), i, 0.1, 1);
    Tensor items = RandomTensors.normal(DType.FLOAT32, 5, 3, new SplittableRandom(1));
    TwoTowerModel byIndex =
        new TwoTowerModel(
            config,
            new TowerData(USERS, null, null, null, null, 0, null),
            new TowerData(5, items, null, null, null, 0, null),
            DType.FLOAT32);
    TensorBundle b = new TensorBundle();
    byIndex.save(b);
    TwoTowerModel byKey =
        new TwoTowerModel(
            config,
            new TowerData(USERS, null, null, null, null, 0, KEYS),
            new TowerData(5, items, null, null, null, 0, null),
            DType.FLOAT32);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> byKey.load(b));
    assertEquals(true, e.getMessage().contains("retrain"), e.getMessage());
    byIndex.load(b);
  }

  @Test
  void towersRefuseDataTheyCannotRead() {
    TowerData bare = new TowerData(USERS, null, null, null, null, 0, null);
    for (TowerKind kind : new TowerKind[] {TowerKind.MLP, TowerKind.DCN, TowerKind.GCN}) {
      TowerConfig c = TowerConfig.defaults(kind).withWidths(8, 8, 4);
      assertThrows(
          IllegalArgumentException.class,
          () -> new Tower("t", c, bare, DType.FLOAT32, new SplittableRandom(1), null),
          kind.label() + " without dense features");
    }
    TowerData dense =
        new TowerData(
            USERS,
            RandomTensors.normal(DType.FLOAT32, USERS, 3, new SplittableRandom(1)),
            null,
            null,
            null,
            0,
            null);
    assertThrows(
        IllegalArgumentException.class,
        () ->
            new Tower(
                "t",
                TowerConfig.defaults(TowerKind.GCN).withWidths(8, 8, 4),
                dense,
                DType.FLOAT32,
                new SplittableRandom(1),
                null),
        "gcn without a graph");
    assertThrows(
        IllegalArgumentException.class,
        () ->
            new Tower(
                "t",
                TowerConfig.defaults(TowerKind.HISTORY).withWidths(8, 8, 4),
                bare,
                DType.FLOAT32,
                new SplittableRandom(1),
                null),
        "history without a catalogue");
    Tower mlp =
        new Tower(
            "t",
            TowerConfig.defaults(TowerKind.MLP).withWidths(8, 8, 4),
            dense,
            DType.FLOAT32,
            new SplittableRandom(1),
            null);
    assertEquals(6, mlp.parameters().size(), "three linear layers");
    Tape tape = new Tape();
    try (Tape s = tape.begin()) {
      assertThrows(
          IllegalArgumentException.class,
          () -> mlp.embed(s, new TowerBatch().set(new int[] {USERS}, 0, 1)),
          "an index past the data");
      assertThrows(
          IllegalArgumentException.class,
          () -> mlp.embed(s, new TowerBatch().set(new int[] {-1}, 0, 1)));
      assertThrows(
          IllegalStateException.class,
          () -> mlp.embedUnseen(s, new long[] {1}, null, null, 1),
          "no hashed id table");
    }
    assertThrows(
        IllegalArgumentException.class,
        () -> new TowerData(USERS, null, null, null, null, 0, new long[USERS - 1]));
  }

  @Test
  void aHistoryTowerPoolsTheItemTowersTableWithoutOwningIt() {
    TowerConfig q = TowerConfig.defaults(TowerKind.HISTORY).withWidths(8, 8, 4).withIdDim(4);
    TowerConfig i = TowerConfig.defaults(TowerKind.ID).withWidths(8, 8, 4).withIdDim(4);
    TwoTowerModel m =
        new TwoTowerModel(
            new ModelConfig(q, i, 0.1, 3),
            new TowerData(USERS, null, null, null, null, 5, null),
            new TowerData(5, null, null, null, null, 0, null),
            DType.FLOAT32);
    assertEquals(false, m.query().parameters().contains(m.item().idTable().table()));
    assertEquals(true, m.query().parametersUsed().contains(m.item().idTable().table()));
    assertEquals(
        m.query().parameters().size() + m.item().parameters().size(), m.parameters().size());
  }

  @Test
  void aUserDescribedByItemsGetsTheEmbeddingTheirBagGives() {
    TowerConfig c = TowerConfig.defaults(TowerKind.HISTORY).withWidths(8, 8, 4).withIdDim(4);
    Tower t =
        new Tower(
            "query",
            c,
            new TowerData(USERS, null, SIDE, CARDS, null, 5, null),
            DType.FLOAT32,
            new SplittableRandom(5),
            null);
    int[] offsets = {0, 2, 3, 6};
    int[] items = {4, 1, 0, 2, 2, 3};
    int[] users = {3, 0, 5};
    TowerBatch batch = new TowerBatch().set(users, 0, 3).setBags(offsets, items);
    int[] codes = new int[6];
    for (int r = 0; r < 3; r++) {
      codes[2 * r] = SIDE[2 * users[r]];
      codes[2 * r + 1] = SIDE[2 * users[r] + 1];
    }
    Tape tape = new Tape();
    float[] known;
    float[] described;
    try (Tape s = tape.begin()) {
      known = t.embed(s, batch).value().floats().clone();
    }
    try (Tape s = tape.begin()) {
      described = t.embedHistory(s, offsets, items, codes, 3).value().floats().clone();
    }
    assertArrayEquals(known, described);
    // Other items, another embedding; bad input is refused by name.
    try (Tape s = tape.begin()) {
      float[] other =
          t.embedHistory(s, offsets, new int[] {0, 0, 0, 2, 2, 3}, codes, 3).value().floats();
      assertNotEquals(known[0], other[0]);
      assertThrows(
          IllegalArgumentException.class,
          () -> t.embedHistory(s, new int[] {0, 0}, items, codes, 1),
          "no items");
      assertThrows(
          IllegalArgumentException.class,
          () -> t.embedHistory(s, new int[] {0, 1}, new int[] {5}, codes, 1),
          "an item past the catalogue");
      assertThrows(
          IllegalArgumentException.class,
          () -> t.embedHistory(s, new int[] {0, 1}, new int[] {1}, null, 1),
          "side codes missing");
      assertThrows(
          IllegalStateException.class,
          () -> tower(false, KEYS).embedHistory(s, offsets, items, codes, 3),
          "not a history tower");
    }
  }

  @Test
  void aLightGcnTowerPoolsItsItemsOverTheGraphAndTrainsThroughIt() {
    // Items 0–1–2 in a path, 3 alone; Ŝ = D^-1/2 (A + I) D^-1/2.
    CsrMatrix graph =
        CsrMatrix.fromCoo(
            4, 4, new int[] {0, 1, 1, 2}, new int[] {1, 0, 2, 1}, new double[] {1, 1, 1, 1});
    for (int hops : new int[] {1, 2}) {
      TowerConfig c =
          TowerConfig.defaults(TowerKind.LIGHTGCN)
              .withWidths(4, 4, 3)
              .withIdDim(2)
              .withGcnLayers(hops);
      Tower t =
          new Tower(
              "item",
              c,
              new TowerData(4, null, null, null, graph, 0, null),
              DType.FLOAT64,
              new SplittableRandom(8),
              null);
      // By hand: M = (E + ŜE [+ Ŝ²E]) / (hops + 1), then the MLP head on M's rows.
      double[][] s = {
        {1 / 2.0, 1 / Math.sqrt(6), 0, 0},
        {1 / Math.sqrt(6), 1 / 3.0, 1 / Math.sqrt(6), 0},
        {0, 1 / Math.sqrt(6), 1 / 2.0, 0},
        {0, 0, 0, 1}
      };
      Tensor e = t.idTable().table().value();
      double[][] layer = new double[4][2];
      double[][] sum = new double[4][2];
      for (int i = 0; i < 4; i++) {
        for (int d = 0; d < 2; d++) {
          layer[i][d] = e.get(i, d);
          sum[i][d] = layer[i][d];
        }
      }
      for (int h = 0; h < hops; h++) {
        double[][] next = new double[4][2];
        for (int i = 0; i < 4; i++) {
          for (int j = 0; j < 4; j++) {
            for (int d = 0; d < 2; d++) {
              next[i][d] += s[i][j] * layer[j][d];
            }
          }
        }
        layer = next;
        for (int i = 0; i < 4; i++) {
          for (int d = 0; d < 2; d++) {
            sum[i][d] += layer[i][d];
          }
        }
      }
      int[] batch = {2, 0, 3};
      Tensor pooled = Tensor.zeros(DType.FLOAT64, 3, 2);
      for (int r = 0; r < 3; r++) {
        for (int d = 0; d < 2; d++) {
          pooled.set(r, d, sum[batch[r]][d] / (hops + 1));
        }
      }
      Tape tape = new Tape();
      try (Tape x = tape.begin()) {
        Tensor expected =
            org.sbcnm.engine.ops.L2Normalize.rows(x, t.mlp().forward(x, x.constant(pooled)))
                .value()
                .copy();
        Tensor got = t.embed(x, new TowerBatch().set(batch, 0, 3)).value();
        for (int k = 0; k < 9; k++) {
          assertEquals(expected.getFlat(k), got.getFlat(k), 1e-12, "hops " + hops);
        }
      }
      Tensor r = RandomTensors.normal(DType.FLOAT64, 3, 3, new SplittableRandom(2));
      GradCheck.check(
          "lightgcn tower, " + hops + " hops",
          java.util.List.of(),
          t.parameters(),
          (x, in) -> GradCheck.project(x, t.embed(x, new TowerBatch().set(batch, 0, 3)), r));
    }
    assertThrows(
        IllegalArgumentException.class,
        () ->
            new Tower(
                "item",
                TowerConfig.defaults(TowerKind.LIGHTGCN).withWidths(4, 4, 3).withHashBuckets(8),
                new TowerData(4, null, null, null, graph, 0, null),
                DType.FLOAT64,
                new SplittableRandom(8),
                null),
        "hashed rows");
  }

  @Test
  void aCheckpointWithANonFiniteParameterIsRefused() {
    TowerConfig q = TowerConfig.defaults(TowerKind.ID).withWidths(8, 8, 4).withIdDim(4);
    TowerConfig i = TowerConfig.defaults(TowerKind.MLP).withWidths(8, 8, 4);
    Tensor items = RandomTensors.normal(DType.FLOAT32, 5, 3, new SplittableRandom(1));
    TwoTowerModel m =
        new TwoTowerModel(
            new ModelConfig(q, i, 0.1, 1),
            new TowerData(USERS, null, null, null, null, 0, null),
            new TowerData(5, items, null, null, null, 0, null),
            DType.FLOAT32);
    for (float bad : new float[] {Float.NaN, Float.POSITIVE_INFINITY}) {
      TensorBundle b = new TensorBundle();
      m.save(b);
      Tensor w = b.tensor("param/item.mlp.0.weight").copy();
      w.setFlat(3, bad);
      b.put("param/item.mlp.0.weight", w);
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> m.load(b));
      assertEquals(true, e.getMessage().contains("item.mlp.0.weight"), e.getMessage());
    }
  }
}
