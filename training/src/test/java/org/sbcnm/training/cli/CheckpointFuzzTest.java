package org.sbcnm.training.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.sbcnm.datasets.prepared.DatasetException;
import org.sbcnm.datasets.prepared.PreparedDataset;
import org.sbcnm.engine.io.FormatException;
import org.sbcnm.engine.io.TensorBundle;
import org.sbcnm.engine.testing.BundleMutations;
import org.sbcnm.engine.testing.ReaderContract;

/**
 * Checkpoint loading on crafted contents: a valid checkpoint (ID query tower with side fields, GCN
 * item tower with its graph, streaming estimator) changed by {@link BundleMutations} loads as a
 * model, its estimator and its popularity adjustment, or fails with a typed error ({@link
 * FormatException}, {@link DatasetException} or the CLI's {@link CliException}). Regression inputs
 * live in {@code CheckpointFuzzTestInputs/}.
 */
class CheckpointFuzzTest {
  private static final Path DIR;
  private static final Path BASE;
  private static final PreparedDataset DATA;

  static {
    try {
      DIR = Files.createTempDirectory("sbcnm-fuzz-ckpt");
      DIR.toFile().deleteOnExit();
      Path data = DIR.resolve("tiny");
      CliTest.Result prep =
          CliTest.run(
              "prep", "synthetic", "--preset", "tiny", "--seed", "3", "--out", data.toString());
      assertEquals(0, prep.code(), prep.err());
      BASE = DIR.resolve("base.sbcnm");
      CliTest.Result train =
          CliTest.run(
              CliTest.with(
                  CliTest.SMALL,
                  "train",
                  "--data",
                  data.toString(),
                  "--query_tower",
                  "id",
                  "--use_gcn",
                  "--hash_buckets",
                  "1024",
                  "--save_path",
                  BASE.toString()));
      assertEquals(0, train.code(), train.err());
      DATA = PreparedDataset.read(data, false);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static final ReaderContract LOADER =
      new ReaderContract(
          f -> {
            Checkpoints.Loaded loaded = Checkpoints.load(f, DATA);
            loaded.model().itemEmbeddings();
            if (loaded.hasProbabilities()) {
              loaded.popularityAdjustment(DATA.numItems(), 1.0);
            }
          },
          FormatException.class,
          DatasetException.class,
          CliException.class);

  @FuzzTest
  void load(FuzzedDataProvider input) throws IOException {
    TensorBundle b = TensorBundle.read(BASE);
    BundleMutations.mutate(b, input, DATA.numItems() + 2);
    Path f = DIR.resolve("mutated.sbcnm");
    b.write(f);
    LOADER.check(f, Files.size(f));
  }
}
