package org.sbcnm.training.loop;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.sbcnm.datasets.batch.BatchAssembler;
import org.sbcnm.datasets.prepared.PreparedDataset;
import org.sbcnm.datasets.synthetic.SyntheticConfig;
import org.sbcnm.datasets.synthetic.SyntheticGenerator;
import org.sbcnm.engine.kernel.Kernels;
import org.sbcnm.engine.param.Parameter;
import org.sbcnm.towers.config.ModelConfig;
import org.sbcnm.towers.config.TowerConfig;
import org.sbcnm.towers.config.TowerKind;
import org.sbcnm.towers.tower.TwoTowerModel;
import org.sbcnm.training.eval.Baselines;
import org.sbcnm.training.eval.RetrievalMetrics;

class TrainerTest {
  private static PreparedDataset skewed;
  @TempDir Path dir;

  @BeforeAll
  static void data() {
    skewed =
        SyntheticGenerator.generate(
            new SyntheticConfig(800, 300, 8, 8, 12, 1.1, 1.0, 0.3, 0.5, 5, 3));
  }

  static ModelConfig small(TowerKind query, TowerKind item) {
    TowerConfig q = TowerConfig.defaults(query).withWidths(32, 32, 16).withIdDim(16);
    TowerConfig i = TowerConfig.defaults(item).withWidths(32, 32, 16).withIdDim(16);
    return new ModelConfig(q, i, 0.1, 7);
  }

  static TrainConfig fast(int epochs, String correction) {
    return fast(epochs, correction, true, false);
  }

  static TrainConfig fast(int epochs, String correction, boolean maskHits, boolean useRatings) {
    return TrainConfig.builder()
        .epochs(epochs)
        .batchSize(128)
        .lr(0.005)
        .seed(11)
        .correction(Correction.parse(correction))
        .hashBuckets(1 << 12)
        .alpha(0.05)
        .maskHits(maskHits)
        .useRatings(useRatings)
        .historyLength(20)
        .ks(10, 50)
        .threads(2)
        .build();
  }

  private static double recall50(PreparedDataset d, int[] ranks) {
    return RetrievalMetrics.fromRanks(ranks, new int[] {50}).get("recall@50");
  }

  @Test
  void learnsAndBeatsRandomByFar() throws IOException {
    TrainResult r =
        Trainer.create(
                skewed, small(TowerKind.MLP, TowerKind.MLP), fast(4, "streaming"), null, null, null)
            .run(null);
    List<EpochMetrics> e = r.epochs();
    assertTrue(e.get(e.size() - 1).loss() < e.get(0).loss(), "loss must fall: " + e);
    Trainer t =
        Trainer.create(
            skewed, small(TowerKind.MLP, TowerKind.MLP), fast(1, "none"), null, null, null);
    double random = recall50(skewed, Baselines.randomRanks(t.split(), skewed.numItems(), 1));
    double ours = r.finalMetrics().get("recall@50");
    assertTrue(ours > 2 * random, "recall@50 " + ours + " vs random " + random);
  }

  @Test
  void towersSideBySideOrOneAfterTheOtherGiveTheSameModelAndTheChoiceIsSaved() throws IOException {
    TrainConfig sideBySide = fast(1, "streaming");
    Trainer a =
        Trainer.create(skewed, small(TowerKind.MLP, TowerKind.ID), sideBySide, null, null, null);
    Trainer b =
        Trainer.create(
            skewed,
            small(TowerKind.MLP, TowerKind.ID),
            sideBySide.toBuilder().sequentialTowers(true).build(),
            null,
            null,
            null);
    assertTrue(a.towersSideBySide() && !b.towersSideBySide());
    float[][] pa = params(a.run(null));
    float[][] pb = params(b.run(null));
    for (int k = 0; k < pa.length; k++) {
      assertArrayEquals(pa[k], pb[k], "parameter " + k);
    }
    TrainConfig back =
        TrainConfig.fromMap(sideBySide.toBuilder().sequentialTowers(true).build().toMap());
    assertTrue(back.execution().sequentialTowers() && !back.execution().fullColumns());
    java.util.Map<String, String> old = new java.util.LinkedHashMap<>(sideBySide.toMap());
    old.remove("sequential_towers");
    old.remove("full_columns");
    assertEquals(
        TrainConfig.fromMap(sideBySide.toMap()),
        TrainConfig.fromMap(old),
        "a checkpoint from before: both off");
  }

  @Test
  void correctionBeatsNoCorrectionUnderPopularitySkew() throws IOException {
    double corrected =
        Trainer.create(
                skewed, small(TowerKind.MLP, TowerKind.MLP), fast(4, "streaming"), null, null, null)
            .run(null)
            .finalMetrics()
            .get("recall@50");
    double plain =
        Trainer.create(
                skewed, small(TowerKind.MLP, TowerKind.MLP), fast(4, "none"), null, null, null)
            .run(null)
            .finalMetrics()
            .get("recall@50");
    assertTrue(corrected > plain + 0.05, "corrected " + corrected + " vs uncorrected " + plain);
  }

  @Test
  void beatsPopularityWhenTasteOutweighsIt() throws IOException {
    PreparedDataset taste =
        SyntheticGenerator.generate(
            new SyntheticConfig(800, 300, 8, 8, 12, 0.5, 0.2, 0.1, 0.3, 5, 4));
    Trainer t =
        Trainer.create(
            taste, small(TowerKind.MLP, TowerKind.MLP), fast(5, "streaming"), null, null, null);
    double ours = t.run(null).finalMetrics().get("recall@50");
    double pop = recall50(taste, Baselines.popularityRanks(t.split(), taste.numItems()));
    assertTrue(ours > pop, "recall@50 " + ours + " vs popularity " + pop);
  }

  @ParameterizedTest
  @CsvSource({"ID, ID", "HISTORY, MLP", "DCN, DCN", "MLP, GCN", "ID, MLP", "HISTORY, LIGHTGCN"})
  void everyTowerKindTrains(TowerKind query, TowerKind item) throws IOException {
    TrainResult r =
        Trainer.create(skewed, small(query, item), fast(2, "streaming"), null, null, null)
            .run(null);
    double random = 50.0 / skewed.numItems();
    assertTrue(
        r.finalMetrics().get("recall@50") > random, query + "/" + item + ": " + r.finalMetrics());
  }

  @Test
  void hardAndMixedNegativesTrain() throws IOException {
    TrainConfig c = fast(2, "streaming").toBuilder().hardNegatives(16).mixedNegatives(64).build();
    TrainResult r =
        Trainer.create(skewed, small(TowerKind.MLP, TowerKind.MLP), c, null, null, null).run(null);
    assertTrue(
        r.finalMetrics().get("recall@50") > 50.0 / skewed.numItems(), r.finalMetrics().toString());
  }

  @Test
  void theFullSoftmaxScoresTheCatalogueSoNoCorrectionChangesIt() throws IOException {
    TrainConfig full = fast(3, "streaming").toBuilder().fullSoftmax(true).build();
    Trainer t = Trainer.create(skewed, small(TowerKind.ID, TowerKind.ID), full, null, null, null);
    assertFalse(t.distinctColumns());
    TrainResult r = t.run(null);
    double random = recall50(skewed, Baselines.randomRanks(t.split(), skewed.numItems(), 1));
    assertTrue(r.finalMetrics().get("recall@50") > 2 * random, r.finalMetrics().toString());
    // Nothing is sampled, so the correction has nothing to act on: the same model bit for bit.
    TrainConfig none = full.toBuilder().correction(Correction.NONE).build();
    float[][] a = params(r);
    float[][] b =
        params(
            Trainer.create(skewed, small(TowerKind.ID, TowerKind.ID), none, null, null, null)
                .run(null));
    for (int k = 0; k < a.length; k++) {
      assertArrayEquals(a[k], b[k], "parameter " + k);
    }
    // It differs from the batch softmax's model.
    float[][] batch =
        params(
            Trainer.create(
                    skewed,
                    small(TowerKind.ID, TowerKind.ID),
                    fast(3, "streaming"),
                    null,
                    null,
                    null)
                .run(null));
    assertFalse(java.util.Arrays.equals(a[0], batch[0]));
    MemoryBudget.requireFullSoftmax(1024, 100_000, 8L << 30);
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> MemoryBudget.requireFullSoftmax(1024, 1_000_000, 8L << 30));
    assertEquals(
        "full_softmax: a batch of 1024 against 1000000 items needs 11718 MiB of scores, more than a"
            + " quarter of the 8192 MiB heap; use the batch softmax, a smaller --batch_size or a"
            + " larger -Xmx",
        e.getMessage());
  }

  @Test
  void crossBatchNegativesTrainAndResumeBitForBit() throws IOException {
    TrainConfig xbm = fast(3, "streaming").toBuilder().crossBatch(300).build();
    ModelConfig m = small(TowerKind.HISTORY, TowerKind.ID);
    Trainer t = Trainer.create(skewed, m, xbm, null, null, null);
    assertFalse(t.distinctColumns());
    TrainResult r = t.run(null);
    double random = recall50(skewed, Baselines.randomRanks(t.split(), skewed.numItems(), 1));
    assertTrue(r.finalMetrics().get("recall@50") > 2 * random, r.finalMetrics().toString());
    float[][] straight = params(r);
    float[][] without =
        params(Trainer.create(skewed, m, fast(3, "streaming"), null, null, null).run(null));
    assertFalse(java.util.Arrays.equals(straight[0], without[0]), "the memory changes the model");
    // Killed mid-epoch 2: the memory comes back with the checkpoint.
    Path ckpt = dir.resolve("xbm.ckpt");
    Trainer.create(skewed, m, xbm.toBuilder().stopAfterSteps(20).build(), null, ckpt, null)
        .run(null);
    assertEquals(
        "300", org.sbcnm.engine.io.TensorBundle.read(ckpt).meta("xbm/size"), "a full memory");
    assertParamsEqual(straight, params(Trainer.resume(skewed, ckpt, null).run(null)));
    assertThrows(
        IllegalArgumentException.class,
        () -> fast(1, "streaming").toBuilder().crossBatch(8).mixedNegatives(8).build());
    assertThrows(
        IllegalArgumentException.class,
        () -> fast(1, "streaming").toBuilder().crossBatch(8).fullSoftmax(true).build());
    assertThrows(
        IllegalArgumentException.class,
        () -> fast(1, "streaming").toBuilder().crossBatch(8).hardNegatives(4).build());
  }

  @Test
  void weightDecayShrinksTheParametersAndIsSaved() throws IOException {
    double[] norms = new double[2];
    double[] decays = {0, 0.05};
    for (int k = 0; k < 2; k++) {
      TrainConfig c = fast(2, "streaming").toBuilder().weightDecay(decays[k]).build();
      Path ckpt = dir.resolve("decay" + k + ".sbcnm");
      TrainResult r =
          Trainer.create(skewed, small(TowerKind.ID, TowerKind.ID), c, null, ckpt, null).run(null);
      for (float[] p : params(r)) {
        for (float x : p) {
          norms[k] += x * x;
        }
      }
      assertEquals(
          Double.toString(decays[k]),
          org.sbcnm.engine.io.TensorBundle.read(ckpt).meta("train.weight_decay"));
    }
    assertTrue(norms[1] < 0.9 * norms[0], "norms " + norms[0] + " then " + norms[1]);
  }

  @Test
  void sameSeedSameModelBitForBit() throws IOException {
    float[][] a =
        params(
            Trainer.create(
                    skewed,
                    small(TowerKind.ID, TowerKind.MLP),
                    fast(2, "streaming"),
                    null,
                    null,
                    null)
                .run(null));
    float[][] b =
        params(
            Trainer.create(
                    skewed,
                    small(TowerKind.ID, TowerKind.MLP),
                    fast(2, "streaming"),
                    null,
                    null,
                    null)
                .run(null));
    for (int k = 0; k < a.length; k++) {
      assertArrayEquals(a[k], b[k]);
    }
  }

  @Test
  void twoTrainersInOneJvmKeepTheirOwnThreads() throws Exception {
    // Each run binds a pool of its own: side by side on two threads, a one-thread and a
    // two-thread trainer each see their own count at every step, leave the JVM's default alone,
    // and train the same models as when run alone.
    int before = Kernels.threads();
    ModelConfig model = small(TowerKind.MLP, TowerKind.MLP);
    TrainConfig[] configs = {
      fast(1, "streaming").toBuilder().threads(1).build(),
      fast(1, "streaming").toBuilder().threads(2).build()
    };
    float[][][] alone = new float[2][][];
    for (int k = 0; k < 2; k++) {
      alone[k] = params(Trainer.create(skewed, model, configs[k], null, null, null).run(null));
    }
    float[][][] together = new float[2][][];
    @SuppressWarnings("unchecked")
    java.util.Set<Integer>[] seen =
        new java.util.Set[] {
          java.util.concurrent.ConcurrentHashMap.newKeySet(),
          java.util.concurrent.ConcurrentHashMap.newKeySet()
        };
    java.util.concurrent.CyclicBarrier start = new java.util.concurrent.CyclicBarrier(2);
    java.util.concurrent.atomic.AtomicReference<Throwable> failure =
        new java.util.concurrent.atomic.AtomicReference<>();
    Thread[] threads = new Thread[2];
    for (int k = 0; k < 2; k++) {
      int index = k;
      threads[k] =
          new Thread(
              () -> {
                try {
                  Trainer t = Trainer.create(skewed, model, configs[index], null, null, null);
                  start.await();
                  together[index] =
                      params(
                          t.run(
                              new Trainer.Listener() {
                                @Override
                                public void step(long done, long total, double loss) {
                                  seen[index].add(Kernels.threads());
                                }
                              }));
                } catch (Throwable e) {
                  failure.set(e);
                }
              });
      threads[k].start();
    }
    for (Thread t : threads) {
      t.join();
    }
    if (failure.get() != null) {
      throw new AssertionError(failure.get());
    }
    assertEquals(java.util.Set.of(1), seen[0]);
    assertEquals(java.util.Set.of(2), seen[1]);
    assertEquals(before, Kernels.threads());
    for (int k = 0; k < 2; k++) {
      for (int p = 0; p < alone[k].length; p++) {
        assertArrayEquals(alone[k][p], together[k][p], "trainer " + k + " parameter " + p);
      }
    }
  }

  @ParameterizedTest
  @CsvSource({"MLP, MLP", "ID, GCN", "HISTORY, ID"})
  void threadCountDoesNotChangeTheModel(TowerKind query, TowerKind item) throws IOException {
    // Wide enough that the GEMMs, the softmax rows and the element-wise kernels really split
    // across threads; every split keeps each element's order of operations. With two threads,
    // towers without shared parameters run side by side on their own tapes (the first two
    // cases); a history tower pooling the item tower's ID table does not (the third).
    TowerConfig q = TowerConfig.defaults(query).withWidths(64, 64, 32).withIdDim(16);
    TowerConfig i = TowerConfig.defaults(item).withWidths(64, 64, 32).withIdDim(16);
    ModelConfig model = new ModelConfig(q, i, 0.1, 7);
    TrainConfig config = fast(1, "streaming").toBuilder().batchSize(256).build();
    float[][] one =
        params(
            Trainer.create(skewed, model, config.toBuilder().threads(1).build(), null, null, null)
                .run(null));
    float[][] two =
        params(
            Trainer.create(skewed, model, config.toBuilder().threads(2).build(), null, null, null)
                .run(null));
    for (int k = 0; k < one.length; k++) {
      assertArrayEquals(one[k], two[k], "parameter " + k);
    }
  }

  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void distinctColumnsTrainTheModelFullColumnsTrain(boolean maskHits) throws IOException {
    // One item-tower row and one score column per distinct item computes the same loss as every
    // column; only the rounding differs. On the skewed data batches repeat their popular items.
    TrainConfig c =
        fast(1, "streaming", maskHits, true).toBuilder()
            .hardNegatives(0)
            .mixedNegatives(16)
            .build();
    ModelConfig model = small(TowerKind.MLP, TowerKind.ID);
    assertTrue(Trainer.create(skewed, model, c, null, null, null).distinctColumns());
    // A few steps: the parameters agree to rounding, and do differ (not one path in disguise).
    TrainConfig few = c.toBuilder().stopAfterSteps(5).build();
    float[][] a = params(Trainer.create(skewed, model, few, null, null, null).run(null));
    float[][] b = params(fullColumns(model, few));
    double worst = 0;
    for (int k = 0; k < a.length; k++) {
      for (int j = 0; j < a[k].length; j++) {
        worst = Math.max(worst, Math.abs(a[k][j] - b[k][j]));
      }
    }
    assertTrue(worst > 0 && worst < 1e-5, "largest parameter difference " + worst);
    // A whole epoch: Adam turns rounding into ±lr steps where a gradient is near zero, so the
    // parameters drift apart, but the model is as good.
    double distinct =
        Trainer.create(skewed, model, c, null, null, null)
            .run(null)
            .finalMetrics()
            .get("recall@50");
    double full = fullColumns(model, c).finalMetrics().get("recall@50");
    assertEquals(full, distinct, 0.02);
  }

  private TrainResult fullColumns(ModelConfig model, TrainConfig c) throws IOException {
    Trainer t =
        Trainer.create(skewed, model, c.toBuilder().fullColumns(true).build(), null, null, null);
    assertFalse(t.distinctColumns());
    return t.run(null);
  }

  @Test
  void towersRunSideBySideOnlyWithTwoThreadsAndNoSharedParameters() throws IOException {
    TrainConfig c = fast(1, "streaming");
    TwoTowerModel separate =
        Trainer.create(skewed, small(TowerKind.ID, TowerKind.MLP), c, null, null, null).model();
    assertTrue(ConcurrentTowers.applicable(separate, 2));
    assertFalse(ConcurrentTowers.applicable(separate, 1));
    TwoTowerModel pooled =
        Trainer.create(skewed, small(TowerKind.HISTORY, TowerKind.ID), c, null, null, null).model();
    assertFalse(ConcurrentTowers.applicable(pooled, 2));
  }

  @Test
  void killAndResumeEndsWithTheSameParameters() throws IOException {
    TrainConfig full = fast(3, "streaming").toBuilder().hardNegatives(0).mixedNegatives(16).build();
    float[][] straight =
        params(
            Trainer.create(skewed, small(TowerKind.ID, TowerKind.MLP), full, null, null, null)
                .run(null));
    Path ckpt = dir.resolve("run.ckpt");
    // Killed mid-epoch 2, then again mid-epoch 3, then resumed to the end.
    TrainResult first =
        Trainer.create(
                skewed,
                small(TowerKind.ID, TowerKind.MLP),
                full.toBuilder().stopAfterSteps(11).build(),
                null,
                ckpt,
                null)
            .run(null);
    assertFalse(first.completed());
    Trainer.resume(skewed, ckpt, null).run(null);
    float[][] resumed = params(Trainer.resume(skewed, ckpt, null).run(null));
    Trainer again = Trainer.resume(skewed, ckpt, null);
    assertEquals(straight.length, resumed.length);
    for (int k = 0; k < straight.length; k++) {
      assertArrayEquals(straight[k], resumed[k], "parameter " + k);
    }
    assertTrue(again.evaluate().get("recall@50") > 0);
  }

  @Test
  void aResumedRunExtendedToMoreEpochsEndsAsALongerRunWould() throws IOException {
    TrainConfig two = fast(2, "streaming");
    ModelConfig m = small(TowerKind.HISTORY, TowerKind.ID);
    float[][] straight =
        params(
            Trainer.create(skewed, m, two.toBuilder().epochs(4).build(), null, null, null)
                .run(null));
    // A finished run, extended from 2 to 4 epochs.
    Path done = dir.resolve("done.ckpt");
    assertTrue(Trainer.create(skewed, m, two, null, done, null).run(null).completed());
    TrainResult extended = Trainer.resume(skewed, done, null, 4).run(null);
    assertEquals(2, extended.epochs().size(), "two more epochs");
    assertParamsEqual(straight, params(extended));
    assertEquals("4", org.sbcnm.engine.io.TensorBundle.read(done).meta("train.epochs"));
    // An interrupted run (mid-epoch 2 of 2), extended to 4.
    Path cut = dir.resolve("cut.ckpt");
    Trainer.create(skewed, m, two.toBuilder().stopAfterSteps(9).build(), null, cut, null).run(null);
    assertParamsEqual(straight, params(Trainer.resume(skewed, cut, null, 4).run(null)));
    // Fewer epochs than trained, or a run that early stopping ended, cannot be extended.
    IllegalArgumentException fewer =
        assertThrows(IllegalArgumentException.class, () -> Trainer.resume(skewed, done, null, 3));
    assertTrue(fewer.getMessage().contains("trained 4 epochs already"), fewer.getMessage());
    Path stopped = dir.resolve("stopped.ckpt");
    Trainer.create(
            skewed, m, two.toBuilder().validation(true).patience(1).build(), null, stopped, null)
        .run(null);
    IllegalArgumentException early =
        assertThrows(
            IllegalArgumentException.class, () -> Trainer.resume(skewed, stopped, null, 5));
    assertTrue(early.getMessage().contains("early stopping"), early.getMessage());
    // The same epoch count, or 0, resumes as saved.
    assertEquals(0, Trainer.resume(skewed, done, null, 4).run(null).epochs().size());
  }

  private static void assertParamsEqual(float[][] expected, float[][] actual) {
    assertEquals(expected.length, actual.length);
    for (int k = 0; k < expected.length; k++) {
      assertArrayEquals(expected[k], actual[k], "parameter " + k);
    }
  }

  @Test
  void checkpointCarriesProvenanceAndRejectsOtherData() throws IOException {
    Path ckpt = dir.resolve("m.ckpt");
    Path metrics = dir.resolve("metrics.jsonl");
    TrainConfig withValidation = fast(2, "counts").toBuilder().validation(true).build();
    Trainer.create(skewed, small(TowerKind.MLP, TowerKind.MLP), withValidation, null, ckpt, metrics)
        .run(null);
    List<String> lines = Files.readAllLines(metrics);
    assertEquals(2, lines.size());
    assertTrue(
        lines.get(1).contains("\"validation_recall@50\"")
            && lines.get(1).contains("\"examples_per_second\""),
        lines.get(1));
    org.sbcnm.engine.io.TensorBundle b = org.sbcnm.engine.io.TensorBundle.read(ckpt);
    assertEquals("11", b.meta("seed"));
    assertEquals("counts", b.meta("train.correction"));
    assertTrue(b.meta("kernels").startsWith("simd") || b.meta("kernels").startsWith("scalar"));
    PreparedDataset other = SyntheticGenerator.generate(SyntheticConfig.preset("tiny", 1));
    PreparedDataset withChecksum =
        new PreparedDataset(
            other.queryFeatures(),
            other.itemFeatures(),
            other.users(),
            other.items(),
            other.interactions(),
            other.querySide(),
            null,
            other.itemEdges(),
            "deadbeef");
    IOException e = assertThrows(IOException.class, () -> Trainer.resume(withChecksum, ckpt, null));
    assertTrue(e.getMessage().contains("other data"), e.getMessage());
  }

  @Test
  void earlyStoppingSelectsOnValidationAndNeverReadsTheTestSplit() throws IOException {
    TrainConfig c =
        fast(6, "streaming").toBuilder().lr(0.05).seed(1).patience(1).validation(true).build();
    Trainer trainer =
        Trainer.create(skewed, small(TowerKind.MLP, TowerKind.MLP), c, null, null, null);
    TrainResult r = trainer.run(null);
    double best =
        r.epochs().stream().mapToDouble(m -> m.metrics().get("recall@50")).max().orElseThrow();
    assertEquals(best, trainer.evaluateValidation().get("recall@50"), 1e-12);
    assertEquals(trainer.evaluate(), r.finalMetrics(), "the test split, scored once at the end");

    // Every test item moved to another item: training, per-epoch metrics and the selected model
    // are the same bit for bit, so nothing before the final score read the test split.
    PreparedDataset moved = withTestItemsMoved(skewed);
    Trainer other = Trainer.create(moved, small(TowerKind.MLP, TowerKind.MLP), c, null, null, null);
    TrainResult m = other.run(null);
    assertEquals(r.epochs().size(), m.epochs().size());
    for (int e = 0; e < r.epochs().size(); e++) {
      assertEquals(r.epochs().get(e).metrics(), m.epochs().get(e).metrics());
    }
    float[][] a = params(r);
    float[][] b = params(m);
    for (int k = 0; k < a.length; k++) {
      assertArrayEquals(a[k], b[k]);
    }
    assertFalse(r.finalMetrics().equals(m.finalMetrics()), "the test items did move");
  }

  @Test
  void theValidationSplitIsEachUsersSecondToLastInteractionKeptOutOfTraining() {
    TrainConfig c = fast(1, "streaming").toBuilder().validation(true).build();
    Trainer t = Trainer.create(skewed, small(TowerKind.MLP, TowerKind.MLP), c, null, null, null);
    org.sbcnm.datasets.split.HeldOutSplit test = t.split();
    org.sbcnm.datasets.split.HeldOutSplit validation =
        org.sbcnm.datasets.split.HeldOutSplit.of(test.train(), skewed.numUsers());
    assertEquals(validation.train().size(), t.trainingInteractions().size());
    assertEquals(test.train().size() - validation.testSize(), t.trainingInteractions().size());
    assertThrows(
        IllegalArgumentException.class,
        () -> fast(1, "streaming").toBuilder().patience(2).build(),
        "early stopping without a validation split");
  }

  @Test
  void theStepProfileAccountsForEveryStepAndExample() throws IOException {
    StepProfile profile = new StepProfile();
    long t0 = System.nanoTime();
    TrainConfig c = fast(2, "streaming").toBuilder().hardNegatives(0).mixedNegatives(16).build();
    Trainer.create(skewed, small(TowerKind.MLP, TowerKind.MLP), c, null, null, null)
        .profile(profile)
        .run(null);
    double wall = (System.nanoTime() - t0) / 1e9;
    int n =
        Trainer.create(skewed, small(TowerKind.MLP, TowerKind.MLP), c, null, null, null)
            .trainingInteractions()
            .size();
    long steps = 2L * ((n + 127) / 128);
    assertEquals(steps, profile.steps());
    assertEquals(2L * n, profile.examples());
    assertEquals(2L * n + 16 * steps, profile.itemColumnsPerStep() * steps, 1e-6);
    assertTrue(profile.itemRowsPerStep() <= profile.itemColumnsPerStep() + 16);
    assertTrue(
        profile.seconds() > 0 && profile.seconds() <= wall, profile.seconds() + " of " + wall);
    assertTrue(profile.firstStepAt() >= t0);
  }

  @Test
  void theFirstStepsLossWeighsEachRowByItsRating() throws IOException {
    // Ratings 0 or 1 with use_ratings: the first step's loss is the batch softmax of the first
    // shuffled batch with the ratings as row weights, computed here from the parts (the model's
    // initial towers, the batch assembler, the loss over every column).
    org.sbcnm.datasets.prepared.Interactions all = skewed.interactions();
    float[] zeroOne = new float[all.size()];
    for (int k = 0; k < zeroOne.length; k++) {
      zeroOne[k] = k % 3 == 0 ? 0f : 1f;
    }
    PreparedDataset rated =
        new PreparedDataset(
            skewed.queryFeatures(),
            skewed.itemFeatures(),
            skewed.users(),
            skewed.items(),
            new org.sbcnm.datasets.prepared.Interactions(
                all.users(), all.items(), zeroOne, all.timestamps()),
            skewed.querySide(),
            skewed.itemSide(),
            skewed.itemEdges(),
            "rated");
    TrainConfig c = fast(1, "counts", true, true).toBuilder().threads(1).build();
    Trainer trainer =
        Trainer.create(rated, small(TowerKind.MLP, TowerKind.MLP), c, null, null, null);
    org.sbcnm.datasets.prepared.Interactions train = trainer.trainingInteractions();
    int[] perm = new int[train.size()];
    BatchAssembler.shuffle(perm, c.seed(), 0);
    org.sbcnm.datasets.batch.TrainingBatch batch =
        new BatchAssembler(
                train,
                null,
                20,
                new org.sbcnm.training.sampling.ExactCounts(rated.numItems()),
                c.batchSize(),
                0,
                rated.numItems(),
                true,
                c.seed())
            .assemble(perm, 0, 0);
    int m = batch.rows();
    org.sbcnm.towers.tower.TowerBatch qb =
        new org.sbcnm.towers.tower.TowerBatch().set(batch.users(), 0, m);
    org.sbcnm.towers.tower.TowerBatch ib =
        new org.sbcnm.towers.tower.TowerBatch().set(batch.columns(), 0, m);
    double expected;
    org.sbcnm.engine.autograd.Tape tape = new org.sbcnm.engine.autograd.Tape();
    try (org.sbcnm.engine.autograd.Tape t = tape.begin()) {
      expected =
          new org.sbcnm.training.loss.BatchSoftmaxLoss(0.1, true, 0)
              .apply(
                  t,
                  trainer.model().query().embed(t, qb),
                  trainer.model().item().embed(t, ib),
                  batch.columns(),
                  batch.logQ(),
                  batch.weights())
              .value()
              .getFlat(0);
    }
    double[] first = {Double.NaN};
    trainer.run(
        new Trainer.Listener() {
          @Override
          public void step(long done, long total, double loss) {
            if (done == 1) {
              first[0] = loss;
            }
          }
        });
    assertEquals(expected, first[0], 1e-4);
  }

  /** The same dataset with each user's test interaction (last by time) pointing at item + 1. */
  static PreparedDataset withTestItemsMoved(PreparedDataset d) {
    org.sbcnm.datasets.prepared.Interactions all = d.interactions();
    int[] last = new int[d.numUsers()];
    int[] count = new int[d.numUsers()];
    java.util.Arrays.fill(last, -1);
    for (int k = 0; k < all.size(); k++) {
      int u = all.user(k);
      count[u]++;
      if (last[u] < 0 || all.timestamp(k) >= all.timestamp(last[u])) {
        last[u] = k;
      }
    }
    int[] items = all.items().clone();
    for (int u = 0; u < d.numUsers(); u++) {
      if (count[u] >= 2) {
        items[last[u]] = (items[last[u]] + 1) % d.numItems();
      }
    }
    return new PreparedDataset(
        d.queryFeatures(),
        d.itemFeatures(),
        d.users(),
        d.items(),
        new org.sbcnm.datasets.prepared.Interactions(
            all.users(), items, all.ratings(), all.timestamps()),
        d.querySide(),
        d.itemSide(),
        d.itemEdges(),
        "moved");
  }

  private static float[][] params(TrainResult r) {
    List<Parameter> ps = r.model().parameters();
    float[][] out = new float[ps.size()][];
    for (int k = 0; k < out.length; k++) {
      out[k] = ps.get(k).value().floats().clone();
    }
    return out;
  }
}
