package org.sbcnm.engine.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sbcnm.engine.tensor.DType;
import org.sbcnm.engine.tensor.Tensor;

/** Reads NumPy-written fixtures, round-trips, and rejects broken files before allocating. */
class NpyTest {
  @TempDir Path dir;

  private Path fixture(String name) throws IOException {
    Path p = dir.resolve(name);
    try (InputStream in = NpyTest.class.getResourceAsStream("/npy/" + name)) {
      Files.copy(in, p, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }
    return p;
  }

  private static float[] expectedA() {
    float[] a = new float[12];
    for (int k = 0; k < 12; k++) {
      a[k] = k / 4f - 1f;
    }
    return a;
  }

  @Test
  void readsEveryNumpyFlavour() throws IOException {
    for (String name :
        new String[] {"f4_le.npy", "f4_be.npy", "f4_fortran.npy", "f4_v2.npy", "f4_v3.npy"}) {
      Tensor t = Npy.readFloat32(fixture(name));
      assertEquals(3, t.rows(), name);
      assertEquals(4, t.cols(), name);
      assertArrayEquals(expectedA(), t.floats(), name);
    }
    for (String name : new String[] {"f8_le.npy", "f8_be.npy"}) {
      Tensor t = Npy.readFloat64(fixture(name));
      for (int k = 0; k < 12; k++) {
        assertEquals((k / 4.0 - 1) * 1.5, t.getFlat(k), 0, name);
      }
    }
    assertArrayEquals(new int[] {-2, -1, 0, 1, 2, 3}, Npy.readInts(fixture("i4_le.npy")));
    assertArrayEquals(new int[] {-2, -1, 0, 1, 2, 3}, Npy.readInts(fixture("i4_be.npy")));
    assertArrayEquals(
        new int[] {0, 1000, 2000, 3000, 4000, 5000}, Npy.readInts(fixture("i8_le.npy")));
    NpyArray be = Npy.read(fixture("i8_be.npy"));
    assertArrayEquals(new long[] {3, 2}, be.shape());
    assertArrayEquals(new long[] {0, 1000, 2000, 3000, 4000, 5000}, be.toLongs());
    Tensor v = Npy.readFloat32(fixture("f4_1d.npy"));
    assertEquals(3, v.rows());
    assertEquals(1, v.cols());
    assertArrayEquals(new float[] {1.5f, -2f, 3.25f}, v.floats());
    // Integers convert to floats on request.
    assertArrayEquals(
        new float[] {-2, -1, 0, 1, 2, 3}, Npy.readFloat32(fixture("i4_le.npy")).floats());
  }

  @Test
  void writesWhatNumpyWrites() throws IOException {
    Path ours = dir.resolve("ours.npy");
    Npy.write(ours, Tensor.wrap(expectedA(), 3, 4));
    assertArrayEquals(Files.readAllBytes(fixture("f4_le.npy")), Files.readAllBytes(ours));
    Path ints = dir.resolve("ints.npy");
    Npy.writeInts(ints, new int[] {-2, -1, 0, 1, 2, 3}, 2, 3);
    assertArrayEquals(Files.readAllBytes(fixture("i4_le.npy")), Files.readAllBytes(ints));
  }

  @Test
  void roundTripsDoublesAndLongs() throws IOException {
    Tensor d =
        Tensor.of(DType.FLOAT64, new double[][] {{Math.PI, -0.0}, {Double.MIN_VALUE, 1e300}});
    Path p = dir.resolve("d.npy");
    Npy.write(p, d);
    Tensor back = Npy.readFloat64(p);
    assertArrayEquals(d.doubles(), back.doubles());
    Path l = dir.resolve("l.npy");
    Npy.writeLongs(l, new long[] {Long.MIN_VALUE, 7}, 1, 2);
    assertArrayEquals(new long[] {Long.MIN_VALUE, 7}, Npy.read(l).toLongs());
  }

  @Test
  void rejectsBrokenFilesWithClearMessages() throws IOException {
    byte[] good = Files.readAllBytes(fixture("f4_le.npy"));
    Path truncated = dir.resolve("truncated.npy");
    Files.write(truncated, Arrays.copyOf(good, good.length - 5));
    FormatException e = assertThrows(FormatException.class, () -> Npy.read(truncated));
    assertTrue(e.getMessage().contains("needs 48 data bytes but the file has 43"), e.getMessage());

    // A lying header: claims a billion rows. Must fail on the size check, not on allocation.
    Path lying = dir.resolve("lying.npy");
    byte[] lyingBytes =
        new String(good, StandardCharsets.ISO_8859_1)
            .replace("'shape': (3, 4), }   ", "'shape': (99999, 99999), }")
            .getBytes(StandardCharsets.ISO_8859_1);
    Files.write(lying, lyingBytes);
    e = assertThrows(FormatException.class, () -> Npy.read(lying));
    assertTrue(
        e.getMessage().contains("(99999, 99999)") && e.getMessage().contains("needs"),
        e.getMessage());

    Path notNpy = dir.resolve("text.npy");
    Files.writeString(notNpy, "user_id,item_id\n1,2\n");
    assertTrue(
        assertThrows(FormatException.class, () -> Npy.read(notNpy)).getMessage().contains("magic"));

    Path empty = dir.resolve("empty.npy");
    Files.write(empty, new byte[0]);
    assertThrows(FormatException.class, () -> Npy.read(empty));

    byte[] v9 = good.clone();
    v9[6] = 9;
    Path future = dir.resolve("v9.npy");
    Files.write(future, v9);
    UnsupportedVersionException u =
        assertThrows(UnsupportedVersionException.class, () -> Npy.read(future));
    assertEquals(9, u.version());

    assertTrue(
        assertThrows(FormatException.class, () -> Npy.read(fixture("f4_3d.npy")))
            .getMessage()
            .contains("3-D"));
    assertTrue(
        assertThrows(FormatException.class, () -> Npy.read(fixture("u1.npy")))
            .getMessage()
            .contains("|u1"));
    assertTrue(
        assertThrows(FormatException.class, () -> Npy.readInts(fixture("f4_le.npy")))
            .getMessage()
            .contains("integer"));
  }

  /** Regression inputs of the fuzz test, read here with their expected outcome. */
  private static Path fuzzInput(String name) {
    return Path.of("src/test/resources/org/sbcnm/engine/io/NpyFuzzTestInputs/read", name);
  }

  @Test
  void shapesBeyondLongAreRefusedNamingTheFile() {
    for (String name : new String[] {"shape_overflow", "shape_long_max"}) {
      FormatException e = assertThrows(FormatException.class, () -> Npy.read(fuzzInput(name)));
      assertTrue(e.getMessage().startsWith(fuzzInput(name).toString()), e.getMessage());
      assertTrue(e.getMessage().contains("more elements than a file can"), e.getMessage());
    }
  }

  @Test
  void anEmptyFortranArrayOfTwoBillionRowsReadsAtOnce() {
    NpyArray a =
        org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(
            java.time.Duration.ofSeconds(5), () -> Npy.read(fuzzInput("fortran_2e9_empty_rows")));
    assertEquals(0, a.size());
  }
}
