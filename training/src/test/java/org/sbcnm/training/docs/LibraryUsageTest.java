package org.sbcnm.training.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sbcnm.datasets.prepared.PreparedDataset;
import org.sbcnm.datasets.synthetic.SyntheticConfig;
import org.sbcnm.datasets.synthetic.SyntheticGenerator;
import org.sbcnm.engine.io.TensorBundle;
import org.sbcnm.engine.kernel.MatrixOps;
import org.sbcnm.engine.kernel.TopK;
import org.sbcnm.engine.tensor.Tensor;
import org.sbcnm.towers.config.ModelConfig;
import org.sbcnm.towers.config.TowerConfig;
import org.sbcnm.towers.config.TowerKind;
import org.sbcnm.towers.tower.TwoTowerModel;
import org.sbcnm.training.loop.Models;
import org.sbcnm.training.loop.TrainConfig;
import org.sbcnm.training.loop.Trainer;

/** The README's "As a library" example, kept compiling and running. */
class LibraryUsageTest {
  @TempDir Path dir;

  @Test
  void readmeExampleRuns() throws IOException {
    Path dataDir = dir.resolve("data");
    SyntheticGenerator.generate(SyntheticConfig.preset("tiny", 1)).writeAtomically(dataDir);
    Path ckptFile = dir.resolve("mlp.sbcnm");
    TowerConfig small = TowerConfig.defaults(TowerKind.MLP).withWidths(16, 16, 8);
    Trainer.create(
            PreparedDataset.read(dataDir, false),
            new ModelConfig(small, small, 0.1, 0),
            TrainConfig.defaults().toBuilder().epochs(1).batchSize(64).build(),
            null,
            ckptFile,
            null)
        .run(null);
    String someUser = PreparedDataset.read(dataDir, false).users().rawId(0);

    // --- the README example, with its paths and user id replaced ---
    PreparedDataset data = PreparedDataset.read(dataDir, false);
    TensorBundle ckpt = TensorBundle.read(ckptFile);
    TwoTowerModel model = Models.build(TwoTowerModel.configOf(ckpt), data);
    model.load(ckpt);

    Tensor items = Tensor.zeros(data.numItems(), model.config().item().outDim());
    int[] all = java.util.stream.IntStream.range(0, data.numItems()).toArray();
    model.embedAll(model.item(), all, all.length, items, 4096);
    Tensor user = Tensor.zeros(1, model.config().query().outDim());
    model.embedAll(model.query(), new int[] {data.users().indexOf(someUser)}, 1, user, 1);
    Tensor scores = Tensor.zeros(1, data.numItems());
    MatrixOps.gemm(false, true, 1.0, user, items, 0.0, scores);
    int[] top = new int[10];
    float[] best = new float[10];
    TopK.select(scores.floats(), 0, data.numItems(), 10, top, 0, best, 0);
    // --- end of the example ---

    assertEquals(10, java.util.Arrays.stream(top).filter(i -> i >= 0).count());
    assertTrue(best[0] >= best[9]);
  }
}
