package org.sbcnm.training.loop;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

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

/**
 * A checkpoint written by an earlier build ({@code checkpoints/v0-interrupted.sbcnm}: an ID query
 * tower with side fields, an MLP item tower, the streaming estimator, interrupted after 7 of its 14
 * steps) still resumes, and ends with the same model as a run that was never interrupted.
 */
class CheckpointCompatibilityTest {
  @TempDir Path dir;

  static PreparedDataset data() {
    return SyntheticGenerator.generate(
        new SyntheticConfig(40, 25, 4, 4, 6, 1.1, 1.0, 0.3, 0.5, 3, 5));
  }

  static ModelConfig model() {
    TowerConfig q = TowerConfig.defaults(TowerKind.ID).withWidths(8, 8, 4).withIdDim(4);
    TowerConfig i = TowerConfig.defaults(TowerKind.MLP).withWidths(8, 8, 4);
    return new ModelConfig(q, i, 0.1, 3);
  }

  static TrainConfig config() {
    return TrainConfig.defaults().toBuilder()
        .epochs(2)
        .batchSize(32)
        .lr(0.01)
        .seed(2)
        .hashBuckets(64)
        .threads(1)
        .stopAfterSteps(7)
        .build();
  }

  private static float[][] params(TrainResult r) {
    float[][] out = new float[r.model().parameters().size()][];
    int k = 0;
    for (Parameter p : r.model().parameters()) {
      out[k++] = p.value().floats().clone();
    }
    return out;
  }

  @Test
  void anOlderCheckpointResumesToTheUninterruptedModel() throws IOException {
    Path old =
        Files.copy(
            Path.of("src/test/resources/checkpoints/v0-interrupted.sbcnm"), dir.resolve("c.sbcnm"));
    PreparedDataset d = data();
    float[][] resumed = params(Trainer.resume(d, old, null).run(null));
    TrainConfig whole = config().toBuilder().stopAfterSteps(0).build();
    float[][] straight =
        params(Trainer.create(d, model(), whole, null, dir.resolve("w.sbcnm"), null).run(null));
    assertEquals(straight.length, resumed.length);
    for (int k = 0; k < straight.length; k++) {
      assertArrayEquals(straight[k], resumed[k], "parameter " + k);
    }
  }

  /** The old checkpoint with one change, written back; returns resume's error message. */
  private String refusal(java.util.function.Consumer<org.sbcnm.engine.io.TensorBundle> change)
      throws IOException {
    Path f = dir.resolve("changed.sbcnm");
    org.sbcnm.engine.io.TensorBundle b =
        org.sbcnm.engine.io.TensorBundle.read(
            Path.of("src/test/resources/checkpoints/v0-interrupted.sbcnm"));
    change.accept(b);
    b.write(f);
    IOException e =
        org.junit.jupiter.api.Assertions.assertThrows(
            IOException.class, () -> Trainer.resume(data(), f, null));
    org.junit.jupiter.api.Assertions.assertTrue(
        e.getMessage().startsWith(f.toString()), e.getMessage());
    return e.getMessage();
  }

  @Test
  void theSchemaIsCheckedKeyByKey() throws IOException {
    String v = refusal(b -> b.meta("checkpoint.version", "2"));
    org.junit.jupiter.api.Assertions.assertTrue(
        v.contains("checkpoint version 2 is not supported"), v);
    org.junit.jupiter.api.Assertions.assertTrue(
        refusal(b -> b.meta("format", "other")).contains("not an sbcnm training checkpoint"));
    org.junit.jupiter.api.Assertions.assertTrue(
        refusal(b -> b.meta("data.checksum", "abc")).contains("was trained on other data"));
    org.junit.jupiter.api.Assertions.assertTrue(
        refusal(b -> b.meta("progress.epoch", "9")).contains("'progress.epoch' = '9'"));
    org.junit.jupiter.api.Assertions.assertTrue(
        refusal(b -> b.meta("train.batch_size", "many")).contains("'batch_size' = 'many'"));
    String est = refusal(b -> b.meta("probs/buckets", "268435456"));
    org.junit.jupiter.api.Assertions.assertTrue(
        est.contains("saved state holds 64 buckets, its metadata says 268435456 x 1"), est);
  }

  @Test
  void theCurrentBuildWritesVersionOne() throws IOException {
    Path f = dir.resolve("new.sbcnm");
    Trainer.create(data(), model(), config(), null, f, null).run(null);
    org.sbcnm.engine.io.TensorBundle b = org.sbcnm.engine.io.TensorBundle.read(f);
    assertEquals("1", b.meta("checkpoint.version"));
    assertEquals("sbcnm-checkpoint", b.meta("format"));
    assertEquals(data().checksum(), b.meta("data.checksum"));
  }
}
