package org.sbcnm.datasets.prepared;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.sbcnm.datasets.synthetic.SyntheticConfig;
import org.sbcnm.datasets.synthetic.SyntheticGenerator;
import org.sbcnm.engine.io.FormatException;
import org.sbcnm.engine.testing.ReaderContract;

/**
 * The prepared layout's readers on any bytes: a valid small dataset in which one file (chosen by
 * the input) is replaced by the input's bytes must read as a dataset whose every index is in range,
 * or fail with a {@link DatasetException} or {@link FormatException}, within the allocation bound.
 * {@link CsvImport} gets the same treatment on a whole interactions file. Regression inputs live in
 * {@code PreparedLayoutFuzzTestInputs/}.
 */
class PreparedLayoutFuzzTest {
  private static final List<String> FILES =
      List.of(
          PreparedDataset.Q_FEATS,
          PreparedDataset.I_FEATS,
          PreparedDataset.Q_IDMAP,
          PreparedDataset.I_IDMAP,
          PreparedDataset.INTERACTIONS,
          PreparedDataset.Q_SIDE,
          PreparedDataset.I_SIDE,
          PreparedDataset.EDGES);
  private static final Path BASE;
  private static final Path WORK;
  private static final long BASE_BYTES;

  static {
    try {
      Path root = Files.createTempDirectory("sbcnm-fuzz-layout");
      root.toFile().deleteOnExit();
      BASE = root.resolve("base");
      SyntheticGenerator.generate(new SyntheticConfig(20, 15, 3, 3, 4, 1.1, 1.0, 0.3, 0.5, 3, 7))
          .write(BASE);
      WORK = Files.createDirectories(root.resolve("work"));
      long bytes = 0;
      for (Path f : list(BASE)) {
        bytes += Files.size(f);
        f.toFile().deleteOnExit();
      }
      BASE_BYTES = bytes;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static List<Path> list(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.collect(Collectors.toList());
    }
  }

  /** Reads a dataset and checks every cross-file invariant the trainer relies on. */
  static void readValid(Path dir) throws IOException {
    PreparedDataset d = PreparedDataset.read(dir, false);
    assertEquals(d.numUsers(), d.queryFeatures().rows());
    assertEquals(d.numItems(), d.itemFeatures().rows());
    assertTrue(d.interactions().size() > 0, "no interactions");
    for (int k = 0; k < d.interactions().size(); k++) {
      int u = d.interactions().user(k);
      int i = d.interactions().item(k);
      assertTrue(u >= 0 && u < d.numUsers() && i >= 0 && i < d.numItems(), "index " + k);
      assertTrue(Float.isFinite(d.interactions().rating(k)), "rating " + k);
    }
    for (int f = 0; f < d.queryFeatures().size(); f++) {
      assertTrue(Double.isFinite(d.queryFeatures().getFlat(f)), "query feature " + f);
    }
    checkSide(d.querySide(), d.numUsers());
    checkSide(d.itemSide(), d.numItems());
    ItemEdges e = d.itemEdges();
    if (e != null) {
      for (int k = 0; k < e.size(); k++) {
        assertTrue(e.src(k) >= 0 && e.src(k) < d.numItems(), "edge source " + k);
        assertTrue(e.dst(k) >= 0 && e.dst(k) < d.numItems(), "edge target " + k);
        assertTrue(Double.isFinite(e.weight(k)), "edge weight " + k);
      }
    }
  }

  private static void checkSide(CategoricalFields side, int rows) {
    if (side == null) {
      return;
    }
    assertEquals(rows, side.rows());
    for (int r = 0; r < rows; r++) {
      for (int f = 0; f < side.fields(); f++) {
        assertTrue(side.code(r, f) >= 0 && side.code(r, f) < side.cardinality(f), "code");
      }
    }
  }

  private static final ReaderContract FOLDER =
      new ReaderContract(
          PreparedLayoutFuzzTest::readValid, DatasetException.class, FormatException.class);

  @FuzzTest
  void oneFileReplaced(FuzzedDataProvider input) throws IOException {
    String replaced = FILES.get(input.consumeInt(0, FILES.size() - 1));
    byte[] bytes = input.consumeRemainingAsBytes();
    for (Path f : list(BASE)) {
      Files.copy(f, WORK.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
    }
    Files.write(WORK.resolve(replaced), bytes);
    FOLDER.check(WORK, BASE_BYTES + bytes.length);
  }

  @FuzzTest
  void csvImport(FuzzedDataProvider input) throws IOException {
    char delimiter = input.pickValue(new Character[] {',', '\t', ';', '|'});
    boolean header = input.consumeBoolean();
    boolean ratings = input.consumeBoolean();
    byte[] bytes = input.consumeRemainingAsBytes();
    Path file = WORK.resolve("import.csv");
    Files.write(file, bytes);
    ReaderContract contract =
        new ReaderContract(
            f -> {
              PreparedDataset d =
                  CsvImport.read(
                      new CsvImport.Spec(
                          f,
                          delimiter,
                          header,
                          header ? "user_id" : "0",
                          header ? "item_id" : "1",
                          ratings ? (header ? "rating" : "2") : null,
                          null,
                          Double.NaN,
                          null,
                          null));
              for (int k = 0; k < d.interactions().size(); k++) {
                assertTrue(d.interactions().user(k) < d.numUsers());
                assertTrue(d.interactions().item(k) < d.numItems());
              }
            },
            DatasetException.class,
            FormatException.class);
    contract.check(file, bytes.length);
  }
}
