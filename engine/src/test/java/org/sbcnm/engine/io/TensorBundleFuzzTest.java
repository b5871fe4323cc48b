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
              try {
                Tensor t = b.tensor(name); // wrap checks the values against the shape
                assertEquals((long) t.rows() * t.cols(), t.size(), name);
              } catch (IllegalArgumentException integers) {
                try {
                  b.ints(name);
                } catch (IllegalArgumentException longs) {
                  b.longs(name);
                }
              }
            }
          },
          FormatException.class);

  @FuzzTest
  void read(byte[] input) throws IOException {
    CONTRACT.check(input);
  }
}
