package org.sbcnm.training.loop;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.sbcnm.datasets.prepared.PreparedDataset;
import org.sbcnm.datasets.split.HeldOutSplit;
import org.sbcnm.datasets.synthetic.SyntheticConfig;
import org.sbcnm.datasets.synthetic.SyntheticGenerator;
import org.sbcnm.engine.autograd.Tape;
import org.sbcnm.engine.kernel.MatrixOps;
import org.sbcnm.engine.tensor.Tensor;
import org.sbcnm.towers.config.TowerKind;
import org.sbcnm.towers.tower.TowerBatch;
import org.sbcnm.towers.tower.TwoTowerModel;
import org.sbcnm.training.eval.RetrievalMetrics;
import org.sbcnm.training.retrieval.ExactIndex;
import org.sbcnm.training.retrieval.Exclusions;

/** One scoring pass over the catalogue gives the ranks and the exact index's top lists. */
class EvaluationPassTest {
  @Test
  void ranksAndTopListsComeFromOnePass() {
    // 1,100 test users (past one forward pass of 1,024, tasks of 128 with a tail) over 5,000 items
    // (two blocks of 2,048 and a tail).
    PreparedDataset d = dataset(1100, 5000);
    Trainer t = untrained(d);
    TwoTowerModel model = t.model();
    HeldOutSplit split = t.split();
    Tensor items = model.itemEmbeddings();
    int users = split.testUsers().length;
    float[] adjustment = new float[d.numItems()];
    SplittableRandom rng = new SplittableRandom(3);
    for (int j = 0; j < adjustment.length; j++) {
      adjustment[j] = (float) rng.nextDouble(-0.1, 0.1);
    }
    int length = 20;
    int[] lists = new int[users * length];
    int[] ranks =
        RetrievalMetrics.ranks(model, split, items, t.queryEncoder(), adjustment, length, lists);
    assertArrayEquals(
        RetrievalMetrics.ranks(model, split, items, t.queryEncoder(), adjustment), ranks);

    TowerBatch batch = new TowerBatch();
    t.queryEncoder().fill(batch, split.testUsers(), 0, users);
    Tensor q;
    try (Tape tape = new Tape().begin()) {
      q = model.query().embed(tape, batch).value().copy();
    }
    int[] expected = new int[users * length];
    new ExactIndex(items)
        .withAdjustment(adjustment)
        .search(
            q,
            length,
            Exclusions.ofUsers(
                split.userTrainPtr(), split.userTrainItems(), split.testUsers(), 0, users),
            expected,
            new float[users * length]);
    assertArrayEquals(expected, lists);

    // The ranks against the definition over whole score rows (scored by one GEMM over the
    // catalogue, plus the adjustment).
    Tensor all = Tensor.zeros(users, d.numItems());
    MatrixOps.gemm(false, true, 1.0, q, items, 0.0, all);
    float[] s = all.floats();
    for (int k = 0; k < users; k++) {
      int row = k * d.numItems();
      for (int j = 0; j < d.numItems(); j++) {
        s[row + j] += adjustment[j];
      }
      int u = split.testUsers()[k];
      int target = split.testItems()[k];
      int rank = 0;
      for (int j = 0; j < d.numItems(); j++) {
        boolean skipped =
            j != target
                && Arrays.binarySearch(
                        split.userTrainItems(),
                        split.userTrainPtr()[u],
                        split.userTrainPtr()[u + 1],
                        j)
                    >= 0;
        float v = s[row + j];
        float ts = s[row + target];
        if (!skipped && (v > ts || (v == ts && j < target))) {
          rank++;
        }
      }
      assertEquals(rank, ranks[k], "test user " + k);
    }

    assertThrows(
        IllegalArgumentException.class,
        () ->
            RetrievalMetrics.ranks(
                model, split, items, t.queryEncoder(), null, length, new int[users * length - 1]));
  }

  @Test
  void aNanTargetScoreRanksLast() {
    // A model that scores NaN must not look perfect: the target's rank is the worst possible,
    // every item but the target and the user's training items.
    PreparedDataset d = dataset(200, 300);
    Trainer t = untrained(d);
    HeldOutSplit split = t.split();
    Tensor items = t.model().itemEmbeddings().copy();
    int target = split.testItems()[0];
    for (int c = 0; c < items.cols(); c++) {
      items.set(target, c, Float.NaN);
    }
    int[] ranks = RetrievalMetrics.ranks(t.model(), split, items, t.queryEncoder(), null);
    int[] ptr = split.userTrainPtr();
    int[] trainItems = split.userTrainItems();
    for (int k = 0; k < ranks.length; k++) {
      if (split.testItems()[k] != target) {
        continue;
      }
      int u = split.testUsers()[k];
      boolean seen = java.util.Arrays.binarySearch(trainItems, ptr[u], ptr[u + 1], target) >= 0;
      assertEquals(d.numItems() - 1 - (ptr[u + 1] - ptr[u]) + (seen ? 1 : 0), ranks[k]);
    }
    Map<String, Double> m = RetrievalMetrics.fromRanks(ranks, new int[] {10});
    assertTrue(m.get("recall@10") < 1.0);
  }

  private static PreparedDataset dataset(int users, int items) {
    return SyntheticGenerator.generate(
        new SyntheticConfig(users, items, 8, 8, 12, 0.5, 0.2, 0.1, 0.3, 5, 4));
  }

  /** A trainer over {@code d} whose model is still at its seeded initial parameters. */
  private static Trainer untrained(PreparedDataset d) {
    return Trainer.create(
        d,
        TrainerTest.small(TowerKind.MLP, TowerKind.MLP),
        TrainerTest.fast(1, "none"),
        null,
        null,
        null);
  }
}
