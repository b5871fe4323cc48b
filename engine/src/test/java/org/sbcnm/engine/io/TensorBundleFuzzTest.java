package org.sbcnm.engine.io;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import org.sbcnm.engine.tensor.Tensor;
import org.sbcnm.engine.testing.ReaderContract;

/**
 * {@link TensorBundle#read} (checkpoints and index files) on any bytes: a bundle whose entries hold
 * as many values as their shapes say, or a {@link FormatException}, within the allocation bound.
 * Regression inputs live in {@code TensorBundleFuzzTestInputs/read/}.
 */
class TensorBundleFuzzTest {
  private static final ReaderContract CONTRACT =
      new ReaderContract(
          file -> {
            TensorBundle b = TensorBundle.read(file);
            for (String name : b.names()) {
              int[] shape = b.shape(name);
              long expected = (long) shape[0] * shape[1];
              int length;
              try {
                Tensor t = b.tensor(name);
                length = t.isFloat32() ? t.floats().length : t.doubles().length;
              } catch (IllegalArgumentException integers) {
                try {
                  length = b.ints(name).length;
                } catch (IllegalArgumentException longs) {
                  length = b.longs(name).length;
                }
              }
              assertEquals(expected, length, "values of entry " + name + " against its shape");
            }
          },
          FormatException.class);

  @FuzzTest
  void read(byte[] input) throws IOException {
    CONTRACT.check(input);
  }
}
