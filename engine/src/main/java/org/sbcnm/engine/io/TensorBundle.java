package org.sbcnm.engine.io;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.CheckedInputStream;
import java.util.zip.CheckedOutputStream;
import org.sbcnm.engine.tensor.Tensor;

/**
 * A named collection of tensors, int/long arrays and string metadata, saved as one versioned file:
 * the checkpoint and model format.
 *
 * <pre>
 *   magic "SBCNMTB\0" (8 bytes) · int version (= 1)
 *   int m · m × (string key, string value)                        metadata
 *   int n · n × (string name, byte kind, int rows, int cols, data)  kind 0 f32, 1 f64, 2 i32, 3 i64
 *   long CRC-32 of every byte before it
 * </pre>
 *
 * Big-endian; strings are an int byte count and UTF-8 bytes. An unknown version is an {@link
 * UnsupportedVersionException}; a wrong magic, a bad CRC or a short file is a {@link
 * FormatException}. Writes are atomic (temporary file, then rename).
 */
public final class TensorBundle {
  static final byte[] MAGIC = {'S', 'B', 'C', 'N', 'M', 'T', 'B', 0};
  public static final int VERSION = 1;
  private static final byte F32 = 0;
  private static final byte F64 = 1;
  private static final byte I32 = 2;
  private static final byte I64 = 3;

  /** The file this bundle was read from; null for one built in memory. */
  private Path source;

  private final Map<String, String> meta = new LinkedHashMap<>();
  private final Map<String, Entry> entries = new LinkedHashMap<>();

  private static final class Entry {
    final byte kind;
    final int rows;
    final int cols;
    final Object data;

    Entry(byte kind, int rows, int cols, Object data) {
      this.kind = kind;
      this.rows = rows;
      this.cols = cols;
      this.data = data;
    }
  }

  /** Sets a metadata string. */
  public TensorBundle meta(String key, String value) {
    meta.put(checkName(key), value == null ? "" : value);
    return this;
  }

  /** A metadata string, or null. */
  public String meta(String key) {
    return meta.get(key);
  }

  /** The file this bundle was read from, or null for a bundle built in memory. */
  public Path source() {
    return source;
  }

  /**
   * A metadata value that must be present.
   *
   * @throws FormatException naming the file and the key when it is missing
   */
  public String requireMeta(String key) throws FormatException {
    String v = meta.get(key);
    if (v == null) {
      throw new FormatException(where() + "metadata '" + key + "' is missing");
    }
    return v;
  }

  /** A whole-number metadata value in [min, max]; a {@link FormatException} names what is wrong. */
  public long longMeta(String key, long min, long max) throws FormatException {
    String v = requireMeta(key);
    try {
      long x = Long.parseLong(v.trim());
      if (x >= min && x <= max) {
        return x;
      }
    } catch (NumberFormatException e) {
      // Reported below.
    }
    throw new FormatException(
        where()
            + "metadata '"
            + key
            + "' = '"
            + v
            + "', expected a whole number in ["
            + min
            + ", "
            + max
            + "]");
  }

  /** {@link #longMeta} for an int. */
  public int intMeta(String key, int min, int max) throws FormatException {
    return (int) longMeta(key, min, max);
  }

  /** A finite decimal metadata value, or also NaN and the infinities when {@code nonFinite}. */
  public double doubleMeta(String key, boolean nonFinite) throws FormatException {
    String v = requireMeta(key);
    try {
      double x = Double.parseDouble(v.trim());
      if (Double.isFinite(x) || nonFinite) {
        return x;
      }
    } catch (NumberFormatException e) {
      // Reported below.
    }
    throw new FormatException(where() + "metadata '" + key + "' = '" + v + "', expected a number");
  }

  private String where() {
    return source == null ? "" : source + ": ";
  }

  /** All metadata, read-only. */
  public Map<String, String> metadata() {
    return Collections.unmodifiableMap(meta);
  }

  /** Adds a copy of tensor t under name. */
  public TensorBundle put(String name, Tensor t) {
    Tensor c = t.copy();
    entries.put(
        checkName(name),
        new Entry(
            t.isFloat32() ? F32 : F64,
            t.rows(),
            t.cols(),
            t.isFloat32() ? c.floats() : c.doubles()));
    return this;
  }

  /** Adds a copy of an int array viewed as [rows, cols]. */
  public TensorBundle putInts(String name, int[] data, int rows, int cols) {
    checkSize(name, data.length, rows, cols);
    entries.put(checkName(name), new Entry(I32, rows, cols, data.clone()));
    return this;
  }

  /** Adds a copy of a long array viewed as [rows, cols]. */
  public TensorBundle putLongs(String name, long[] data, int rows, int cols) {
    checkSize(name, data.length, rows, cols);
    entries.put(checkName(name), new Entry(I64, rows, cols, data.clone()));
    return this;
  }

  /** Adds a copy of a double array as a float64 [1, n] tensor. */
  public TensorBundle putDoubles(String name, double[] data) {
    entries.put(checkName(name), new Entry(F64, 1, data.length, data.clone()));
    return this;
  }

  /**
   * The float tensor stored under name, which must be there.
   *
   * @throws FormatException naming the file and entry when it is missing or holds integers
   */
  public Tensor requireTensor(String name) throws FormatException {
    if (!has(name)) {
      throw new FormatException(where() + "entry '" + name + "' is missing");
    }
    try {
      return tensor(name);
    } catch (IllegalArgumentException e) {
      throw new FormatException(where() + e.getMessage());
    }
  }

  /** {@link #requireTensor} for an int32 entry. */
  public int[] requireInts(String name) throws FormatException {
    if (!has(name)) {
      throw new FormatException(where() + "entry '" + name + "' is missing");
    }
    try {
      return ints(name);
    } catch (IllegalArgumentException e) {
      throw new FormatException(where() + e.getMessage());
    }
  }

  /** The [rows, cols] shape of the entry under name. */
  public int[] shape(String name) {
    Entry e = entry(name);
    return new int[] {e.rows, e.cols};
  }

  /** Removes the entry under name, if any. */
  public TensorBundle remove(String name) {
    entries.remove(name);
    return this;
  }

  public boolean has(String name) {
    return entries.containsKey(name);
  }

  /** Entry names in insertion order. */
  public Iterable<String> names() {
    return Collections.unmodifiableSet(entries.keySet());
  }

  /** The float tensor stored under name (a new tensor sharing the bundle's array). */
  public Tensor tensor(String name) {
    Entry e = entry(name);
    if (e.kind == F32) {
      return Tensor.wrap((float[]) e.data, e.rows, e.cols);
    }
    if (e.kind == F64) {
      return Tensor.wrap((double[]) e.data, e.rows, e.cols);
    }
    throw new IllegalArgumentException("bundle: entry '" + name + "' holds integers, not a tensor");
  }

  public int[] ints(String name) {
    Entry e = entry(name);
    if (e.kind != I32) {
      throw new IllegalArgumentException("bundle: entry '" + name + "' is not int32");
    }
    return (int[]) e.data;
  }

  public long[] longs(String name) {
    Entry e = entry(name);
    if (e.kind != I64) {
      throw new IllegalArgumentException("bundle: entry '" + name + "' is not int64");
    }
    return (long[]) e.data;
  }

  public double[] doubles(String name) {
    Entry e = entry(name);
    if (e.kind != F64) {
      throw new IllegalArgumentException("bundle: entry '" + name + "' is not float64");
    }
    return (double[]) e.data;
  }

  private Entry entry(String name) {
    Entry e = entries.get(name);
    if (e == null) {
      throw new IllegalArgumentException("bundle: no entry '" + name + "'");
    }
    return e;
  }

  private static String checkName(String name) {
    if (name == null || name.isEmpty()) {
      throw new IllegalArgumentException("bundle: empty name");
    }
    return name;
  }

  private static void checkSize(String name, int length, int rows, int cols) {
    if ((long) rows * cols != length) {
      throw new IllegalArgumentException(
          "bundle: '" + name + "' has " + length + " elements, not [" + rows + ", " + cols + "]");
    }
  }

  /** Writes the bundle to {@code file} atomically. */
  public void write(Path file) throws IOException {
    AtomicFiles.write(
        file,
        raw -> {
          CRC32 crc = new CRC32();
          DataOutputStream out = new DataOutputStream(new CheckedOutputStream(raw, crc));
          out.write(MAGIC);
          out.writeInt(VERSION);
          out.writeInt(meta.size());
          for (Map.Entry<String, String> m : meta.entrySet()) {
            writeString(out, m.getKey());
            writeString(out, m.getValue());
          }
          out.writeInt(entries.size());
          for (Map.Entry<String, Entry> me : entries.entrySet()) {
            Entry e = me.getValue();
            writeString(out, me.getKey());
            out.writeByte(e.kind);
            out.writeInt(e.rows);
            out.writeInt(e.cols);
            writeData(out, e);
          }
          out.flush();
          long sum = crc.getValue();
          new DataOutputStream(raw).writeLong(sum);
        });
  }

  private static void writeData(DataOutputStream out, Entry e) throws IOException {
    int n = e.rows * e.cols;
    java.nio.ByteBuffer bb = java.nio.ByteBuffer.allocate(8 * Math.min(n, 1 << 16));
    int k = 0;
    while (k < n) {
      bb.clear();
      int stop = Math.min(n, k + (1 << 16));
      for (; k < stop; k++) {
        switch (e.kind) {
          case F32:
            bb.putFloat(((float[]) e.data)[k]);
            break;
          case F64:
            bb.putDouble(((double[]) e.data)[k]);
            break;
          case I32:
            bb.putInt(((int[]) e.data)[k]);
            break;
          default:
            bb.putLong(((long[]) e.data)[k]);
        }
      }
      out.write(bb.array(), 0, bb.position());
    }
  }

  private static void writeString(DataOutputStream out, String s) throws IOException {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    out.writeInt(b.length);
    out.write(b);
  }

  /** Reads a bundle; every error names the file. */
  public static TensorBundle read(Path file) throws IOException {
    long fileSize = Files.size(file);
    try (InputStream raw = new java.io.BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
      CRC32 crc = new CRC32();
      DataInputStream in = new DataInputStream(new CheckedInputStream(raw, crc));
      byte[] magic = new byte[MAGIC.length];
      try {
        in.readFully(magic);
      } catch (EOFException e) {
        throw new FormatException(file + ": not an sbcnm bundle (shorter than its magic)");
      }
      if (!Arrays.equals(magic, MAGIC)) {
        throw new FormatException(file + ": not an sbcnm bundle (bad magic)");
      }
      TensorBundle b = new TensorBundle();
      b.source = file;
      try {
        int version = in.readInt();
        if (version != VERSION) {
          throw new UnsupportedVersionException(
              file
                  + ": bundle version "
                  + version
                  + " is not supported (this build reads "
                  + VERSION
                  + ")",
              version);
        }
        int m = count(in.readInt(), file, "metadata entries", fileSize);
        for (int i = 0; i < m; i++) {
          b.meta.put(readString(in, file, fileSize), readString(in, file, fileSize));
        }
        int n = count(in.readInt(), file, "entries", fileSize);
        for (int i = 0; i < n; i++) {
          String name = readString(in, file, fileSize);
          byte kind = in.readByte();
          int rows = in.readInt();
          int cols = in.readInt();
          long size = (long) rows * cols;
          int width = kind == F32 || kind == I32 ? 4 : 8;
          if (kind < F32 || kind > I64 || rows < 0 || cols < 0 || size > fileSize / width) {
            throw new FormatException(
                file
                    + ": entry '"
                    + name
                    + "' has a bad header (kind "
                    + kind
                    + ", ["
                    + rows
                    + ", "
                    + cols
                    + "])");
          }
          b.entries.put(name, new Entry(kind, rows, cols, readData(in, kind, (int) size)));
        }
        long expected = crc.getValue();
        long stored = new DataInputStream(raw).readLong();
        if (stored != expected) {
          throw new FormatException(file + ": checksum mismatch (file damaged or truncated)");
        }
      } catch (EOFException e) {
        throw new FormatException(file + ": file ends early (truncated)");
      }
      return b;
    }
  }

  private static int count(int n, Path file, String what, long fileSize) throws FormatException {
    if (n < 0 || n > fileSize) {
      throw new FormatException(file + ": implausible count of " + what + ": " + n);
    }
    return n;
  }

  private static Object readData(DataInputStream in, byte kind, int n) throws IOException {
    switch (kind) {
      case F32:
        {
          float[] v = new float[n];
          for (int k = 0; k < n; k++) {
            v[k] = in.readFloat();
          }
          return v;
        }
      case F64:
        {
          double[] v = new double[n];
          for (int k = 0; k < n; k++) {
            v[k] = in.readDouble();
          }
          return v;
        }
      case I32:
        {
          int[] v = new int[n];
          for (int k = 0; k < n; k++) {
            v[k] = in.readInt();
          }
          return v;
        }
      default:
        {
          long[] v = new long[n];
          for (int k = 0; k < n; k++) {
            v[k] = in.readLong();
          }
          return v;
        }
    }
  }

  private static String readString(DataInputStream in, Path file, long fileSize)
      throws IOException {
    int len = in.readInt();
    if (len < 0 || len > fileSize) {
      throw new FormatException(file + ": implausible string length " + len);
    }
    byte[] b = new byte[len];
    in.readFully(b);
    return new String(b, StandardCharsets.UTF_8);
  }
}
