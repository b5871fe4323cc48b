package org.sbcnm.engine.io;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import org.sbcnm.engine.testing.ReaderContract;

/**
 * {@link Npy#read} on any bytes: an array whose element count matches its shape, or a {@link
 * FormatException}, within the allocation bound. Regression inputs live in {@code
 * NpyFuzzTestInputs/read/}; {@code JAZZER_FUZZ=1 mvn test -Dtest=NpyFuzzTest} fuzzes for 5 minutes.
 */
class NpyFuzzTest {
  private static final ReaderContract CONTRACT =
      new ReaderContract(
          file -> {
            NpyArray a = Npy.read(file);
            long count = 1;
            for (long s : a.shape()) {
              count *= s;
            }
            assertEquals(count, a.size(), "elements against shape");
            assertEquals(count, a.toDoubles().length, "values against shape");
          },
          FormatException.class);

  @FuzzTest
  void read(byte[] input) throws IOException {
    CONTRACT.check(input);
  }
}
