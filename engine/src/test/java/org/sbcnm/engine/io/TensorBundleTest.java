package org.sbcnm.engine.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sbcnm.engine.tensor.DType;
import org.sbcnm.engine.tensor.Tensor;

class TensorBundleTest {
  @TempDir Path dir;

  private TensorBundle sample() {
    return new TensorBundle()
        .meta("config", "{\"h1\": 256}")
        .meta("seed", "42")
        .put("w", Tensor.of(DType.FLOAT32, new double[][] {{1, 2, 3}, {4, 5, 6}}))
        .put("d", Tensor.of(DType.FLOAT64, new double[][] {{Math.E}}))
        .putInts("ids", new int[] {3, 1, 4, 1}, 2, 2)
        .putLongs("steps", new long[] {Long.MAX_VALUE}, 1, 1);
  }

  @Test
  void roundTrips() throws IOException {
    Path p = dir.resolve("model.sbcnm");
    sample().write(p);
    TensorBundle b = TensorBundle.read(p);
    assertEquals("42", b.meta("seed"));
    assertEquals("{\"h1\": 256}", b.meta("config"));
    assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, b.tensor("w").floats());
    assertEquals(2, b.tensor("w").rows());
    assertEquals(Math.E, b.tensor("d").get(0, 0));
    assertArrayEquals(new int[] {3, 1, 4, 1}, b.ints("ids"));
    assertArrayEquals(new long[] {Long.MAX_VALUE}, b.longs("steps"));
    assertTrue(Files.list(dir).allMatch(f -> f.equals(p)), "no temporary files left behind");
  }

  @Test
  void rejectsDamageAndUnknownVersions() throws IOException {
    Path p = dir.resolve("model.sbcnm");
    sample().write(p);
    byte[] good = Files.readAllBytes(p);

    Path truncated = dir.resolve("t.sbcnm");
    Files.write(truncated, Arrays.copyOf(good, good.length - 9));
    assertThrows(FormatException.class, () -> TensorBundle.read(truncated));

    byte[] flipped = good.clone();
    flipped[flipped.length - 12] ^= 1; // inside the last entry's data
    Path damaged = dir.resolve("d.sbcnm");
    Files.write(damaged, flipped);
    assertTrue(
        assertThrows(FormatException.class, () -> TensorBundle.read(damaged))
            .getMessage()
            .contains("checksum"));

    byte[] v2 = good.clone();
    ByteBuffer.wrap(v2).putInt(8, 2);
    Path future = dir.resolve("v2.sbcnm");
    Files.write(future, v2);
    UnsupportedVersionException u =
        assertThrows(UnsupportedVersionException.class, () -> TensorBundle.read(future));
    assertEquals(2, u.version());

    Path other = dir.resolve("o.sbcnm");
    Files.writeString(other, "PK\u0003\u0004 not a bundle");
    assertTrue(
        assertThrows(FormatException.class, () -> TensorBundle.read(other))
            .getMessage()
            .contains("magic"));
  }

  @Test
  void failedWriteLeavesOldFileIntact() throws IOException {
    Path p = dir.resolve("model.sbcnm");
    sample().write(p);
    byte[] before = Files.readAllBytes(p);
    assertThrows(
        IOException.class,
        () ->
            AtomicFiles.write(
                p,
                out -> {
                  out.write(new byte[] {1, 2, 3});
                  throw new IOException("disk full");
                }));
    assertArrayEquals(before, Files.readAllBytes(p));
    assertEquals(1, Files.list(dir).count());
  }

  @Test
  void anEntryShapeWhoseByteCountOverflowsIsRefused() {
    // Found by TensorBundleFuzzTest: rows · cols · 8 wrapped around to a small number.
    java.nio.file.Path f =
        java.nio.file.Path.of(
            "src/test/resources/org/sbcnm/engine/io/TensorBundleFuzzTestInputs/read",
            "entry_shape_overflows_long");
    FormatException e = assertThrows(FormatException.class, () -> TensorBundle.read(f));
    assertTrue(e.getMessage().contains("has a bad header"), e.getMessage());
  }
}
