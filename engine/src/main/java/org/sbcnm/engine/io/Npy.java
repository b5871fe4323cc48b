package org.sbcnm.engine.io;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.sbcnm.engine.tensor.Tensor;

/**
 * NumPy {@code .npy} files, format versions 1.0, 2.0 and 3.0 (NEP 1).
 *
 * <p>Reads {@code <f4 >f4 <f8 >f8 <i4 >i4 <i8 >i8} (and {@code |}-prefixed single-byte-order forms
 * of none of these, which NumPy never writes for them) of up to two dimensions; a 2-D Fortran-order
 * array is read correctly (transposed into row-major), a higher-dimensional one is refused. The
 * header's shape is checked against the file's length before anything is allocated. Writes version
 * 1.0 (2.0 when the header would not fit), little-endian, C order, atomically.
 */
public final class Npy {
  private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
  private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
  private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
  private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

  private Npy() {}

  /** Reads a whole file. Throws {@link FormatException} naming the file for any malformed input. */
  public static NpyArray read(Path file) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      long fileSize = ch.size();
      ByteBuffer pre = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
      readFully(ch, pre, file, "the 10-byte preamble");
      pre.flip();
      if (pre.remaining() < 10) {
        throw new FormatException(file + ": not a .npy file (shorter than its 10-byte preamble)");
      }
      for (int i = 0; i < MAGIC.length; i++) {
        if (pre.get(i) != MAGIC[i]) {
          throw new FormatException(file + ": not a .npy file (magic \\x93NUMPY missing)");
        }
      }
      int major = pre.get(6) & 0xff;
      int minor = pre.get(7) & 0xff;
      long headerLen;
      long headerStart;
      if (major == 1 && minor == 0) {
        headerLen = pre.getShort(8) & 0xffff;
        headerStart = 10;
      } else if ((major == 2 || major == 3) && minor == 0) {
        if (pre.remaining() < 12) {
          throw new FormatException(file + ": truncated .npy " + major + ".0 preamble");
        }
        headerLen = pre.getInt(8) & 0xffffffffL;
        headerStart = 12;
      } else {
        throw new UnsupportedVersionException(
            file
                + ": .npy format version "
                + major
                + "."
                + minor
                + " is not supported (1.0, 2.0, 3.0 are)",
            major);
      }
      if (headerStart + headerLen > fileSize || headerLen > (1 << 20)) {
        throw new FormatException(
            file
                + ": header of "
                + headerLen
                + " bytes runs past the end of the file ("
                + fileSize
                + " bytes)");
      }
      ByteBuffer hb = ByteBuffer.allocate((int) headerLen);
      ch.position(headerStart);
      readFully(ch, hb, file, "the header");
      String header =
          new String(hb.array(), major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
      String descr = match(DESCR, header, file, "descr");
      boolean fortran = match(FORTRAN, header, file, "fortran_order").equals("True");
      long[] shape = parseShape(match(SHAPE, header, file, "shape"), file);
      if (shape.length > 2) {
        throw new FormatException(
            file + ": " + shape.length + "-D arrays are not supported (at most 2-D)");
      }
      int itemSize = itemSize(descr, file);
      ByteOrder order = descr.charAt(0) == '>' ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
      long count = 1;
      long needed;
      try {
        for (long s : shape) {
          count = Math.multiplyExact(count, s);
        }
        needed = Math.multiplyExact(count, itemSize);
      } catch (ArithmeticException e) {
        throw new FormatException(
            file + ": header shape " + shapeString(shape) + " has more elements than a file can");
      }
      long dataStart = headerStart + headerLen;
      if (fileSize - dataStart != needed) {
        throw new FormatException(
            file
                + ": header shape "
                + shapeString(shape)
                + " of "
                + descr
                + " needs "
                + needed
                + " data bytes but the file has "
                + (fileSize - dataStart));
      }
      if (count > Integer.MAX_VALUE - 8) {
        throw new FormatException(file + ": " + count + " elements exceed one Java array");
      }
      ByteBuffer data = ByteBuffer.allocate((int) needed).order(order);
      ch.position(dataStart);
      readFully(ch, data, file, "the data");
      data.flip();
      int n = (int) count;
      Object values;
      char kind = descr.charAt(1);
      if (kind == 'f' && itemSize == 4) {
        float[] v = new float[n];
        data.asFloatBuffer().get(v);
        values = v;
      } else if (kind == 'f') {
        double[] v = new double[n];
        data.asDoubleBuffer().get(v);
        values = v;
      } else if (itemSize == 4) {
        int[] v = new int[n];
        data.asIntBuffer().get(v);
        values = v;
      } else {
        long[] v = new long[n];
        data.asLongBuffer().get(v);
        values = v;
      }
      // An empty array has nothing to reorder (and may claim two billion empty rows).
      if (fortran && shape.length == 2 && n > 0) {
        values = transposeFortran(values, (int) shape[0], (int) shape[1]);
      }
      return new NpyArray(descr, shape, values);
    }
  }

  /** Reads a file of any supported type as a float32 [rows, cols] tensor (1-D is [n, 1]). */
  public static Tensor readFloat32(Path file) throws IOException {
    NpyArray a = read(file);
    return Tensor.wrap(a.toFloats(), a.rows(), a.cols());
  }

  /** Reads a file of any supported type as a float64 [rows, cols] tensor (1-D is [n, 1]). */
  public static Tensor readFloat64(Path file) throws IOException {
    NpyArray a = read(file);
    return Tensor.wrap(a.toDoubles(), a.rows(), a.cols());
  }

  /**
   * Reads an integer file as int32, row-major; a float file or an out-of-range value is an error.
   */
  public static int[] readInts(Path file) throws IOException {
    NpyArray a = read(file);
    if (a.isFloating()) {
      throw new FormatException(
          file + ": expected an integer array (<i4 or <i8), found " + a.descr());
    }
    try {
      return a.toInts();
    } catch (IllegalStateException e) {
      throw new FormatException(file + ": " + e.getMessage());
    }
  }

  private static Object transposeFortran(Object values, int rows, int cols) {
    int n = rows * cols;
    if (values instanceof float[]) {
      float[] in = (float[]) values;
      float[] out = new float[n];
      for (int i = 0; i < rows; i++) {
        for (int j = 0; j < cols; j++) {
          out[i * cols + j] = in[j * rows + i];
        }
      }
      return out;
    }
    if (values instanceof double[]) {
      double[] in = (double[]) values;
      double[] out = new double[n];
      for (int i = 0; i < rows; i++) {
        for (int j = 0; j < cols; j++) {
          out[i * cols + j] = in[j * rows + i];
        }
      }
      return out;
    }
    if (values instanceof int[]) {
      int[] in = (int[]) values;
      int[] out = new int[n];
      for (int i = 0; i < rows; i++) {
        for (int j = 0; j < cols; j++) {
          out[i * cols + j] = in[j * rows + i];
        }
      }
      return out;
    }
    long[] in = (long[]) values;
    long[] out = new long[n];
    for (int i = 0; i < rows; i++) {
      for (int j = 0; j < cols; j++) {
        out[i * cols + j] = in[j * rows + i];
      }
    }
    return out;
  }

  private static void readFully(FileChannel ch, ByteBuffer buf, Path file, String what)
      throws IOException {
    while (buf.hasRemaining()) {
      if (ch.read(buf) < 0) {
        if (buf.position() == 0 || what.contains("preamble")) {
          return;
        }
        throw new FormatException(file + ": file ends inside " + what);
      }
    }
  }

  private static String match(Pattern p, String header, Path file, String key)
      throws FormatException {
    Matcher m = p.matcher(header);
    if (!m.find()) {
      throw new FormatException(
          file + ": header lacks a valid '" + key + "' entry: " + header.trim());
    }
    return m.group(1);
  }

  private static long[] parseShape(String s, Path file) throws FormatException {
    List<Long> dims = new ArrayList<>();
    for (String part : s.split(",")) {
      String t = part.trim();
      if (t.isEmpty()) {
        continue;
      }
      if (t.endsWith("L")) {
        t = t.substring(0, t.length() - 1);
      }
      try {
        long v = Long.parseLong(t);
        if (v < 0) {
          throw new FormatException(file + ": negative dimension " + v + " in shape (" + s + ")");
        }
        dims.add(v);
      } catch (NumberFormatException e) {
        throw new FormatException(file + ": shape (" + s + ") is not a tuple of integers");
      }
    }
    long[] out = new long[dims.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = dims.get(i);
    }
    return out;
  }

  private static int itemSize(String descr, Path file) throws FormatException {
    switch (descr) {
      case "<f4":
      case ">f4":
      case "<i4":
      case ">i4":
        return 4;
      case "<f8":
      case ">f8":
      case "<i8":
      case ">i8":
        return 8;
      default:
        throw new FormatException(
            file
                + ": dtype '"
                + descr
                + "' is not supported (expected one of <f4 >f4 <f8 >f8 <i4 >i4 <i8 >i8)");
    }
  }

  private static String shapeString(long[] shape) {
    StringBuilder sb = new StringBuilder("(");
    for (int i = 0; i < shape.length; i++) {
      sb.append(shape[i]);
      if (i + 1 < shape.length || shape.length == 1) {
        sb.append(shape.length == 1 ? "," : ", ");
      }
    }
    return sb.append(')').toString();
  }

  /** Writes a tensor as a 2-D {@code <f4} or {@code <f8} array, atomically. */
  public static void write(Path file, Tensor t) throws IOException {
    long[] shape = {t.rows(), t.cols()};
    if (t.isFloat32()) {
      float[] f = t.floats();
      int off = t.offset();
      writeRaw(
          file,
          "<f4",
          shape,
          4L * t.size(),
          bb -> {
            for (int k = 0; k < t.size(); k++) {
              bb.putFloat(f[off + k]);
            }
          });
    } else {
      double[] d = t.doubles();
      int off = t.offset();
      writeRaw(
          file,
          "<f8",
          shape,
          8L * t.size(),
          bb -> {
            for (int k = 0; k < t.size(); k++) {
              bb.putDouble(d[off + k]);
            }
          });
    }
  }

  /** Writes a row-major int matrix as {@code <i4} [rows, cols], atomically. */
  public static void writeInts(Path file, int[] data, int rows, int cols) throws IOException {
    if ((long) rows * cols != data.length) {
      throw new IllegalArgumentException(
          "npy: " + data.length + " ints for shape [" + rows + ", " + cols + "]");
    }
    writeRaw(
        file,
        "<i4",
        new long[] {rows, cols},
        4L * data.length,
        bb -> {
          for (int v : data) {
            bb.putInt(v);
          }
        });
  }

  /** Writes a row-major long matrix as {@code <i8} [rows, cols], atomically. */
  public static void writeLongs(Path file, long[] data, int rows, int cols) throws IOException {
    if ((long) rows * cols != data.length) {
      throw new IllegalArgumentException(
          "npy: " + data.length + " longs for shape [" + rows + ", " + cols + "]");
    }
    writeRaw(
        file,
        "<i8",
        new long[] {rows, cols},
        8L * data.length,
        bb -> {
          for (long v : data) {
            bb.putLong(v);
          }
        });
  }

  private interface Filler {
    void fill(ByteBuffer bb);
  }

  private static void writeRaw(Path file, String descr, long[] shape, long bytes, Filler filler)
      throws IOException {
    String dict =
        "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shapeString(shape) + ", }";
    int preamble = 10;
    int total = preamble + dict.length() + 1;
    int padded = (total + 63) / 64 * 64;
    boolean v2 = padded - preamble > 0xffff;
    if (v2) {
      preamble = 12;
      total = preamble + dict.length() + 1;
      padded = (total + 63) / 64 * 64;
    }
    StringBuilder h = new StringBuilder(dict);
    while (preamble + h.length() + 1 < padded) {
      h.append(' ');
    }
    h.append('\n');
    byte[] headerBytes = h.toString().getBytes(StandardCharsets.ISO_8859_1);
    int major = v2 ? 2 : 1;
    AtomicFiles.write(
        file,
        out -> {
          out.write(MAGIC);
          out.write(major);
          out.write(0);
          if (v2) {
            writeLe32(out, headerBytes.length);
          } else {
            out.write(headerBytes.length & 0xff);
            out.write((headerBytes.length >>> 8) & 0xff);
          }
          out.write(headerBytes);
          if (bytes > Integer.MAX_VALUE - 8) {
            throw new IOException(file + ": " + bytes + " bytes exceed one write buffer");
          }
          ByteBuffer bb = ByteBuffer.allocate((int) bytes).order(ByteOrder.LITTLE_ENDIAN);
          filler.fill(bb);
          out.write(bb.array(), 0, bb.position());
        });
  }

  private static void writeLe32(OutputStream out, int v) throws IOException {
    out.write(v & 0xff);
    out.write((v >>> 8) & 0xff);
    out.write((v >>> 16) & 0xff);
    out.write((v >>> 24) & 0xff);
  }
}
