package org.sbcnm.datasets.movielens;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.sbcnm.datasets.prepared.DatasetException;
import org.sbcnm.datasets.prepared.PreparedDataset;
import org.sbcnm.engine.io.AtomicFolders;
import org.sbcnm.engine.testing.ReaderContract;

/**
 * The MovieLens reader and the ZIP extraction on any bytes: a dataset with every index in range or
 * a {@link DatasetException}; an extraction that either places its entries or leaves nothing, never
 * writing outside its folder nor past its cap. Regression inputs live in {@code
 * MovieLensFuzzTestInputs/}.
 */
class MovieLensFuzzTest {
  private static final String[] FILES = {"u.data", "u.item", "u.user"};
  private static final Path ROOT;

  static {
    try {
      ROOT = Files.createTempDirectory("sbcnm-fuzz-ml");
      ROOT.toFile().deleteOnExit();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static final ReaderContract READER =
      new ReaderContract(
          dir -> {
            PreparedDataset d = MovieLens100k.prepare(dir);
            for (int k = 0; k < d.interactions().size(); k++) {
              assertTrue(d.interactions().user(k) < d.numUsers());
              assertTrue(d.interactions().item(k) < d.numItems());
            }
          },
          DatasetException.class);

  @FuzzTest
  void folder(FuzzedDataProvider input) throws IOException {
    String replaced = FILES[input.consumeInt(0, FILES.length - 1)];
    byte[] bytes = input.consumeRemainingAsBytes();
    Path dir = ROOT.resolve("ml-100k");
    MovieLens100kTest.fixture(dir);
    Files.write(dir.resolve(replaced), bytes);
    READER.check(dir, bytes.length + 4096);
  }

  /** The cap the fuzz test extracts under: small, so that a bomb costs no disk. */
  private static final long CAP = 1 << 20;

  private static final ReaderContract EXTRACT =
      new ReaderContract(
          zip -> {
            Path dest = ROOT.resolve("out");
            AtomicFolders.deleteTree(dest);
            Files.createDirectories(dest);
            try {
              MovieLensDownload.extract(zip, dest, CAP);
            } catch (DatasetException e) {
              try (java.util.stream.Stream<Path> left = Files.list(dest)) {
                assertTrue(left.findAny().isEmpty(), "a failed extraction left files");
              }
              throw e;
            } finally {
              try (java.util.stream.Stream<Path> around = Files.list(ROOT)) {
                assertTrue(
                    around.allMatch(
                        p ->
                            p.equals(dest)
                                || p.getFileName().toString().startsWith("ml-100k")
                                || p.getFileName().toString().equals("input.zip")),
                    "an entry escaped its folder");
              }
              AtomicFolders.deleteTree(dest);
            }
          },
          DatasetException.class);

  @FuzzTest
  void zip(byte[] input) throws IOException {
    Path zip = ROOT.resolve("input.zip");
    Files.write(zip, input);
    EXTRACT.check(zip, input.length);
  }
}
