package org.sbcnm.training.retrieval;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.sbcnm.engine.io.FormatException;
import org.sbcnm.engine.io.TensorBundle;
import org.sbcnm.engine.tensor.Tensor;
import org.sbcnm.engine.testing.BundleMutations;
import org.sbcnm.engine.testing.ReaderContract;

/**
 * Both index formats on crafted contents: a valid exact and HNSW index file changed by {@link
 * BundleMutations} (written again with a valid checksum, so the change reaches the index's own
 * checks). The result loads and answers searches with item ids in range, or fails with a {@link
 * FormatException}. Regression inputs live in {@code IndexFilesFuzzTestInputs/}.
 */
class IndexFilesFuzzTest {
  private static final int ITEMS = 40;
  private static final Path DIR;
  private static final Path EXACT;
  private static final Path HNSW;

  static {
    try {
      DIR = Files.createTempDirectory("sbcnm-fuzz-index");
      DIR.toFile().deleteOnExit();
      java.util.Random rng = new java.util.Random(3);
      float[] v = new float[ITEMS * 4];
      for (int k = 0; k < v.length; k++) {
        v[k] = (float) rng.nextGaussian();
      }
      for (int r = 0; r < ITEMS; r++) { // unit rows, as the towers give
        double n = 0;
        for (int c = 0; c < 4; c++) {
          n += v[r * 4 + c] * v[r * 4 + c];
        }
        for (int c = 0; c < 4; c++) {
          v[r * 4 + c] /= (float) Math.sqrt(n);
        }
      }
      Tensor items = Tensor.wrap(v, ITEMS, 4);
      EXACT = DIR.resolve("exact");
      HNSW = DIR.resolve("hnsw");
      float[] adjustment = new float[ITEMS];
      IndexFiles.write(EXACT, new ExactIndex(items).withAdjustment(adjustment));
      IndexFiles.write(HNSW, HnswIndex.build(items, 4, 16, 1).withAdjustment(adjustment));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Applies the changes the input chooses to a copy of {@code base}; returns its size. */
  private static long mutate(Path base, Path out, FuzzedDataProvider in) throws IOException {
    TensorBundle b = TensorBundle.read(base);
    BundleMutations.mutate(b, in, ITEMS + 2);
    b.write(out);
    return Files.size(out);
  }

  private static void search(int size, java.util.function.Consumer<int[]> searchInto) {
    int[] top = new int[3 * 5];
    searchInto.accept(top);
    for (int id : top) {
      assertTrue(id >= -1 && id < size, "item id " + id + " out of range");
    }
  }

  private static Tensor queries(int dim) {
    float[] q = new float[3 * dim];
    for (int k = 0; k < q.length; k++) {
      q[k] = (k % 7) - 3;
    }
    return Tensor.wrap(q, 3, dim);
  }

  private static final ReaderContract EXACT_READER =
      new ReaderContract(
          f -> {
            ExactIndex idx = IndexFiles.readExact(f);
            int k = Math.min(5, idx.size());
            search(
                idx.size(),
                top -> idx.search(queries(idx.dim()), k, null, top, new float[top.length]));
          },
          FormatException.class);

  private static final ReaderContract HNSW_READER =
      new ReaderContract(
          f -> {
            HnswIndex idx = IndexFiles.readHnsw(f);
            int k = Math.min(5, idx.size());
            search(
                idx.size(),
                top -> idx.search(queries(idx.dim()), k, 16, null, top, new float[top.length]));
          },
          FormatException.class);

  @FuzzTest
  void exact(FuzzedDataProvider input) throws IOException {
    Path f = DIR.resolve("mutated-exact");
    EXACT_READER.check(f, mutate(EXACT, f, input));
  }

  @FuzzTest
  void hnsw(FuzzedDataProvider input) throws IOException {
    Path f = DIR.resolve("mutated-hnsw");
    HNSW_READER.check(f, mutate(HNSW, f, input));
  }
}
