package org.sbcnm.training.loop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sbcnm.datasets.prepared.PreparedDataset;
import org.sbcnm.datasets.synthetic.SyntheticConfig;
import org.sbcnm.datasets.synthetic.SyntheticGenerator;
import org.sbcnm.engine.io.FormatException;
import org.sbcnm.towers.config.TowerKind;

/** The tuner: seeded draws, a table that resumes, and selection that never sees the test items. */
class TunerTest {
  private static PreparedDataset data;
  @TempDir Path dir;

  @BeforeAll
  static void data() {
    data =
        SyntheticGenerator.generate(
            new SyntheticConfig(300, 120, 4, 4, 8, 1.1, 1.0, 0.3, 0.5, 3, 3));
  }

  /** The table without its seconds column, which is wall time. */
  private static List<String> rowsWithoutTime(Path table) throws IOException {
    List<String> out = new ArrayList<>();
    for (String line : Files.readAllLines(table)) {
      out.add(line.substring(0, line.lastIndexOf(',')));
    }
    return out;
  }

  @Test
  void drawsAreAFunctionOfSeedAndTrialOnlyAndFitTheData() {
    Tuner a = new Tuner(data, dir, 5, 2, 1);
    Tuner b = new Tuner(data, dir.resolve("other"), 5, 9, 2);
    List<Tuner.Trial> first = new ArrayList<>();
    for (int t = 0; t < 40; t++) {
      assertEquals(a.draw(t), b.draw(t), "trial " + t);
      first.add(a.draw(t));
    }
    assertNotEquals(a.draw(1), new Tuner(data, dir, 6, 2, 1).draw(1), "another seed");
    assertTrue(first.stream().map(Tuner.Trial::query).distinct().count() == 3, "every query kind");
    // Trial 0 is train's defaults, whatever the seed.
    assertEquals(
        "--query_tower history --item_tower id --out_dim 64 --id_dim 64 --temperature 0.05"
            + " --batch_size 256 --optimizer adam --lr 0.003 --weight_decay 0.0"
            + " --mixed_negatives 0",
        new Tuner(data, dir, 77, 2, 1).draw(0).flags());
    for (Tuner.Trial trial : first) {
      boolean decoupled = trial.optimizer() == OptimizerKind.ADAMW;
      assertTrue(
          decoupled ? trial.weightDecay() >= 0.01 : trial.weightDecay() <= 1e-4, trial.flags());
      assertTrue(trial.flags().contains("--weight_decay " + trial.weightDecay()), trial.flags());
    }
    assertEquals(
        "--query_tower history --item_tower id --out_dim 32 --id_dim 32 --temperature 0.1"
            + " --batch_size 256 --optimizer adamw --lr 0.003 --weight_decay 0.1"
            + " --mixed_negatives 128",
        new Tuner.Trial(
                0,
                TowerKind.HISTORY,
                TowerKind.ID,
                32,
                0.1,
                256,
                OptimizerKind.ADAMW,
                3e-3,
                0.1,
                128)
            .flags());
    // Without feature columns, no tower that reads them is drawn.
    PreparedDataset bare =
        new PreparedDataset(
            org.sbcnm.engine.tensor.Tensor.zeros(data.numUsers(), 0),
            org.sbcnm.engine.tensor.Tensor.zeros(data.numItems(), 0),
            data.users(),
            data.items(),
            data.interactions(),
            null,
            null,
            null,
            "bare");
    for (int t = 0; t < 40; t++) {
      Tuner.Trial trial = new Tuner(bare, dir, 5, 2, 1).draw(t);
      assertFalse(trial.query() == TowerKind.MLP || trial.item() == TowerKind.MLP, trial.flags());
    }
  }

  @Test
  void theTableResumesWhereItStoppedAndKeepsTheBest() throws IOException {
    Tuner tuner = new Tuner(data, dir, 1, 2, 1);
    List<Tuner.Outcome> two = tuner.run(3600, 2, null);
    assertEquals(2, two.size());
    List<String> afterTwo = rowsWithoutTime(dir.resolve(Tuner.TRIALS));
    assertEquals(3, afterTwo.size());
    List<Tuner.Outcome> three = new Tuner(data, dir, 1, 2, 1).run(3600, 3, null);
    assertEquals(3, three.size());
    assertEquals(afterTwo, rowsWithoutTime(dir.resolve(Tuner.TRIALS)).subList(0, 3));
    Tuner.Outcome best = three.get(0);
    for (Tuner.Outcome o : three) {
      best = o.validation() > best.validation() ? o : best;
    }
    assertEquals(best.trial().flags() + "\n", Files.readString(dir.resolve(Tuner.BEST_FLAGS)));
    assertTrue(Files.exists(dir.resolve(Tuner.BEST)));
    assertFalse(Files.exists(dir.resolve("trial.sbcnm")), "no trial checkpoint left behind");
    // The best checkpoint is the best trial's model, at its best epoch.
    org.sbcnm.engine.io.TensorBundle b =
        org.sbcnm.engine.io.TensorBundle.read(dir.resolve(Tuner.BEST));
    assertEquals(Double.toString(best.trial().temperature()), b.meta("model.temperature"));
    // A budget already spent starts no trial.
    assertEquals(3, new Tuner(data, dir, 1, 2, 1).run(0, 10, null).size());
  }

  @Test
  void selectionNeverReadsTheTestItems() throws IOException {
    // The same data with every user's test item moved: the whole table is the same.
    new Tuner(data, dir.resolve("a"), 3, 2, 1).run(3600, 2, null);
    new Tuner(TrainerTest.withTestItemsMoved(data), dir.resolve("b"), 3, 2, 1).run(3600, 2, null);
    assertEquals(
        rowsWithoutTime(dir.resolve("a").resolve(Tuner.TRIALS)),
        rowsWithoutTime(dir.resolve("b").resolve(Tuner.TRIALS)));
    // A trial's run never scores the test split.
    TrainConfig c =
        TrainConfig.builder().epochs(1).batchSize(64).validation(true).threads(1).build();
    TrainResult r =
        Trainer.create(data, TrainerTest.small(TowerKind.ID, TowerKind.ID), c, null, null, null)
            .withoutTestScore()
            .run(null);
    assertTrue(r.finalMetrics().isEmpty());
    assertTrue(r.epochs().get(0).metrics().containsKey("recall@50"), "validation is scored");
  }

  @Test
  void aDamagedTableIsRefusedByLine() throws IOException {
    Files.writeString(dir.resolve(Tuner.TRIALS), "trial,x\n");
    assertThrows(FormatException.class, () -> new Tuner(data, dir, 1, 2, 1).run(3600, 1, null));
    new Tuner(data, dir.resolve("ok"), 1, 2, 1).run(3600, 1, null);
    List<String> lines = Files.readAllLines(dir.resolve("ok").resolve(Tuner.TRIALS));
    Files.writeString(dir.resolve(Tuner.TRIALS), lines.get(0) + "\n5,history\n");
    FormatException e =
        assertThrows(FormatException.class, () -> new Tuner(data, dir, 1, 2, 1).run(3600, 1, null));
    assertTrue(e.getMessage().contains("trials.csv:2: expected trial 0"), e.getMessage());
  }
}
