package org.sbcnm.training.loop;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sbcnm.datasets.prepared.CategoricalFields;
import org.sbcnm.datasets.prepared.IdMap;
import org.sbcnm.datasets.prepared.Interactions;
import org.sbcnm.datasets.prepared.PreparedDataset;
import org.sbcnm.datasets.synthetic.SyntheticConfig;
import org.sbcnm.datasets.synthetic.SyntheticGenerator;
import org.sbcnm.engine.io.FormatException;
import org.sbcnm.engine.io.TensorBundle;
import org.sbcnm.engine.optim.Optimizer;
import org.sbcnm.engine.param.Parameter;
import org.sbcnm.engine.tensor.Tensor;
import org.sbcnm.towers.config.ModelConfig;
import org.sbcnm.towers.config.TowerKind;
import org.sbcnm.towers.tower.TwoTowerModel;
import org.sbcnm.training.sampling.ExactCounts;
import org.sbcnm.training.sampling.SamplingProbabilities;
import org.sbcnm.training.sampling.StreamingFrequencyEstimator;

class WarmStartTest {
  private static PreparedDataset data;
  @TempDir Path dir;

  @BeforeAll
  static void data() {
    data = SyntheticGenerator.generate(SyntheticConfig.preset("tiny", 3));
  }

  /**
   * A config whose estimator has room enough that no two of the 124 items share a bucket (4,096
   * buckets; checked for item indices below 500).
   */
  private static TrainConfig config(int epochs) {
    return TrainerTest.fast(epochs, "streaming").toBuilder().hashBuckets(1 << 12).build();
  }

  /** Trains one epoch of ID towers on {@code d} and returns its checkpoint. */
  private Path trained(PreparedDataset d, ModelConfig m, TrainConfig c) throws IOException {
    Path ckpt = dir.resolve("first.sbcnm");
    Trainer.create(d, m, c, null, ckpt, null).run(new Trainer.Listener() {});
    return ckpt;
  }

  /**
   * {@code d} with its users and items renumbered: new user j is old user {@code users[j]} and new
   * item j old item {@code items[j]}; −1 makes a new entity (raw id "new-j", zero features, side
   * codes 0) that no interaction mentions. Interactions keep their order, so the split is the same.
   */
  static PreparedDataset renumbered(PreparedDataset d, int[] users, int[] items, int extraCols) {
    int[] userTo = inverse(users, d.numUsers());
    int[] itemTo = inverse(items, d.numItems());
    Interactions a = d.interactions();
    int[] u = new int[a.size()];
    int[] i = new int[a.size()];
    for (int k = 0; k < a.size(); k++) {
      u[k] = userTo[a.user(k)];
      i[k] = itemTo[a.item(k)];
    }
    return new PreparedDataset(
        rows(d.queryFeatures(), users, extraCols),
        rows(d.itemFeatures(), items, 0),
        ids(d.users(), users),
        ids(d.items(), items),
        new Interactions(u, i, a.ratings(), a.timestamps()),
        side(d.querySide(), users),
        side(d.itemSide(), items),
        null,
        "renumbered");
  }

  private static int[] inverse(int[] order, int n) {
    int[] to = new int[n];
    java.util.Arrays.fill(to, -1);
    for (int j = 0; j < order.length; j++) {
      if (order[j] >= 0) {
        to[order[j]] = j;
      }
    }
    return to;
  }

  private static Tensor rows(Tensor t, int[] order, int extraCols) {
    Tensor out = Tensor.zeros(order.length, t.cols() + extraCols);
    for (int j = 0; j < order.length; j++) {
      for (int c = 0; order[j] >= 0 && c < t.cols(); c++) {
        out.set(j, c, t.get(order[j], c));
      }
    }
    return out;
  }

  private static IdMap ids(IdMap m, int[] order) {
    String[] raw = new String[order.length];
    for (int j = 0; j < raw.length; j++) {
      raw[j] = order[j] >= 0 ? m.rawId(order[j]) : "new-" + j;
    }
    return new IdMap(raw);
  }

  private static CategoricalFields side(CategoricalFields f, int[] order) {
    if (f == null) {
      return null;
    }
    int[] codes = new int[order.length * f.fields()];
    for (int j = 0; j < order.length; j++) {
      for (int c = 0; order[j] >= 0 && c < f.fields(); c++) {
        codes[j * f.fields() + c] = f.code(order[j], c);
      }
    }
    return new CategoricalFields(order.length, f.fields(), codes);
  }

  /** Reversed, with {@code extra} new entities at the front. */
  private static int[] reversedWithNew(int n, int extra) {
    int[] order = new int[n + extra];
    for (int j = 0; j < order.length; j++) {
      order[j] = j < extra ? -1 : n - 1 - (j - extra);
    }
    return order;
  }

  private static Parameter param(TwoTowerModel m, String name) {
    return m.parameters().stream().filter(p -> p.name().equals(name)).findFirst().orElseThrow();
  }

  private static float[] row(Tensor t, int r) {
    float[] out = new float[t.cols()];
    for (int c = 0; c < out.length; c++) {
      out[c] = (float) t.get(r, c);
    }
    return out;
  }

  @Test
  void rowsFollowTheirRawIdsAndNewIdsKeepTheirSeededRows() throws IOException {
    ModelConfig m = TrainerTest.small(TowerKind.ID, TowerKind.ID);
    Path ckpt = trained(data, m, config(1));
    TensorBundle saved = TensorBundle.read(ckpt);
    int[] users = reversedWithNew(data.numUsers(), 3);
    int[] items = reversedWithNew(data.numItems(), 5);
    PreparedDataset next = renumbered(data, users, items, 0);

    TwoTowerModel model = Models.build(m, next);
    TwoTowerModel seeded = Models.build(m, next);
    Optimizer adam = config(1).optimizer().create();
    adam.init(model.parameters());
    new WarmStart(saved, m, next.users(), next.items()).apply(model, adam);

    Map<String, Tensor> slots = adam.state();
    for (String name : new String[] {"query.id", "item.id"}) {
      int[] order = name.startsWith("query") ? users : items;
      Tensor was = saved.requireTensor("param/" + name);
      Tensor moment = saved.requireTensor("optim/" + name + "/1");
      Tensor now = param(model, name).value();
      for (int j = 0; j < order.length; j++) {
        if (order[j] >= 0) {
          assertArrayEquals(row(was, order[j]), row(now, j), name + " row " + j);
          assertArrayEquals(row(moment, order[j]), row(slots.get(name + "/1"), j), name);
        } else {
          assertArrayEquals(row(param(seeded, name).value(), j), row(now, j), name + " new " + j);
          assertArrayEquals(new float[now.cols()], row(slots.get(name + "/1"), j), name);
        }
      }
    }
    for (Parameter p : model.parameters()) {
      if (!p.name().endsWith(".id")) {
        Tensor was = saved.requireTensor("param/" + p.name());
        for (int r = 0; r < Math.min(was.rows(), p.rows()); r++) {
          assertArrayEquals(row(was, r), row(p.value(), r), p.name());
        }
      }
    }
    assertEquals(saved.longMeta("optimizer.steps", 0, Long.MAX_VALUE), adam.steps());
    assertTrue(adam.steps() > 0);
  }

  @Test
  void aWarmStartOnRenumberedDataScoresExactlyAsTheSavedModel() throws IOException {
    ModelConfig m = TrainerTest.small(TowerKind.HISTORY, TowerKind.ID);
    Path ckpt = trained(data, m, config(2));
    Trainer before = Trainer.resume(data, ckpt, null);
    PreparedDataset next =
        renumbered(
            data, reversedWithNew(data.numUsers(), 0), reversedWithNew(data.numItems(), 0), 0);
    Trainer after = Trainer.warmStart(next, ckpt, c -> c, false, null, null, null);
    Map<String, Double> expected = before.evaluate();
    Map<String, Double> got = after.evaluate();
    assertEquals(expected.keySet(), got.keySet());
    // The same scores and ranks; only the order of the sum over users differs.
    for (String k : expected.keySet()) {
      assertEquals(expected.get(k), got.get(k), 1e-12, k);
    }
    assertTrue(expected.get("recall@50") > 0.2, expected.toString());
    // A fresh model on the same renumbered data scores otherwise: the rows really were carried.
    assertNotEquals(expected, Trainer.create(next, m, config(2), null, null, null).evaluate());
  }

  @Test
  void theEstimatorFollowsItsItemsAndResetStartsAfresh() throws IOException {
    StreamingFrequencyEstimator old = new StreamingFrequencyEstimator(1 << 12, 2, 0.1, 5);
    ExactCounts counts = new ExactCounts(6);
    int[] batch = {0, 1, 1, 2, 5, 5, 5};
    for (int step = 0; step < 4; step++) {
      old.observe(batch, batch.length - step, new float[batch.length]);
      counts.observe(batch, batch.length - step, new float[batch.length]);
    }
    int[] sources = {5, -1, 2, 1, 0};
    for (SamplingProbabilities was : new SamplingProbabilities[] {old, counts}) {
      SamplingProbabilities now = was.carriedTo(sources);
      for (int j = 0; j < sources.length; j++) {
        double expected = sources[j] >= 0 ? was.logProbability(sources[j]) : was.logProbability(3);
        assertEquals(expected, now.logProbability(j), 1e-12, was.name() + " item " + j);
      }
    }
    assertEquals(old.step(), old.carriedTo(sources).step());
  }

  @Test
  void theCarriedEstimatorIsTheSavedOneAndResetIsEmpty() throws IOException {
    ModelConfig m = TrainerTest.small(TowerKind.ID, TowerKind.ID);
    Path ckpt = trained(data, m, config(1));
    SamplingProbabilities saved =
        CheckpointCodec.readProbabilities(TensorBundle.read(ckpt), data.numItems());
    int[] items = reversedWithNew(data.numItems(), 4);
    PreparedDataset next = renumbered(data, reversedWithNew(data.numUsers(), 0), items, 0);
    TensorBundle b = TensorBundle.read(ckpt);
    WarmStart carry = new WarmStart(b, m, next.users(), next.items());
    SamplingProbabilities carried = carry.probabilities(config(1), next.numItems(), false);
    SamplingProbabilities reset = carry.probabilities(config(1), next.numItems(), true);
    for (int j = 0; j < items.length; j++) {
      if (items[j] >= 0) {
        assertEquals(saved.logProbability(items[j]), carried.logProbability(j), 1e-12, "item " + j);
      }
      assertEquals(0.0, reset.logProbability(j), "a fresh estimator has seen nothing");
    }
  }

  @Test
  void theSavedSettingsHoldAndOnlyTheStateFreeOnesMayChange() throws IOException {
    ModelConfig m = TrainerTest.small(TowerKind.ID, TowerKind.ID);
    Path ckpt = trained(data, m, config(1));
    Path next = dir.resolve("next.sbcnm");
    Trainer t =
        Trainer.warmStart(
            data, ckpt, c -> c.toBuilder().epochs(1).lr(0.001).build(), false, null, next, null);
    t.run(new Trainer.Listener() {});
    TensorBundle b = TensorBundle.read(next);
    assertEquals("0.001", b.meta("train.lr"));
    assertEquals("128", b.meta("train.batch_size"));
    assertEquals(ckpt.toString(), b.meta(CheckpointCodec.WARM_START_FROM));
    FormatException e =
        assertThrows(
            FormatException.class,
            () ->
                Trainer.warmStart(
                    data, ckpt, c -> c.toBuilder().alpha(0.5).build(), false, null, null, null));
    assertTrue(e.getMessage().contains("keeps the saved alpha"), e.getMessage());
  }

  @Test
  void otherFeatureWidthsAndCheckpointsWithoutIdsAreRefused() throws IOException {
    ModelConfig m = TrainerTest.small(TowerKind.MLP, TowerKind.MLP);
    Path ckpt = trained(data, m, config(1));
    PreparedDataset wider =
        renumbered(
            data, reversedWithNew(data.numUsers(), 0), reversedWithNew(data.numItems(), 0), 2);
    FormatException e =
        assertThrows(
            FormatException.class,
            () -> Trainer.warmStart(wider, ckpt, c -> c, false, null, null, null));
    assertTrue(e.getMessage().contains("parameter query.mlp"), e.getMessage());
    assertTrue(
        e.getMessage().contains("[32, 8]") && e.getMessage().contains("[32, 10]"), e.getMessage());

    FormatException none =
        assertThrows(
            FormatException.class, () -> CheckpointCodec.readIds(new TensorBundle(), "ids.item"));
    assertTrue(none.getMessage().contains("carried their id maps"), none.getMessage());
  }

  @Test
  void anyRawIdSurvivesTheCheckpoint() throws IOException {
    String[] raw = {"a", "b\\nc", "line\nbreak", "\\", "\\\\n", "é", "x\n"};
    TensorBundle b = new TensorBundle();
    CheckpointCodec.writeIds(b, "ids.item", new IdMap(raw));
    IdMap back = CheckpointCodec.readIds(b, "ids.item");
    assertEquals(raw.length, back.size());
    for (int i = 0; i < raw.length; i++) {
      assertEquals(raw[i], back.rawId(i));
    }
    CheckpointCodec.writeIds(b, "ids.query", new IdMap(new String[] {"only"}));
    assertEquals("only", CheckpointCodec.readIds(b, "ids.query").rawId(0));
  }
}
