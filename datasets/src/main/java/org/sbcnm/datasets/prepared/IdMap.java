package org.sbcnm.datasets.prepared;

import it.unimi.dsi.fastutil.objects.Object2IntOpenHashMap;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.sbcnm.engine.io.AtomicFiles;

/**
 * The bijection between raw ids (strings, as in interactions.csv) and row indices 0..n−1, read from
 * and written to an idmap CSV with header {@code raw_id,index}.
 */
public final class IdMap {
  private final String[] raw;
  private final Object2IntOpenHashMap<String> index;

  /**
   * When every raw id is one prefix followed by a canonical decimal number ("u17", "196"), the
   * prefix and the index of each number (−1 for gaps): a lookup then parses instead of hashing a
   * string and chasing it through memory, which made id lookups half of loading a large dataset.
   * Null otherwise, or when the numbers are too sparse for a table.
   */
  private final String numberPrefix;

  private final int[] byNumber;

  /**
   * @param raw raw id of each index (copied); ids must be distinct and non-empty
   */
  public IdMap(String[] raw) {
    this.raw = raw.clone();
    this.index = new Object2IntOpenHashMap<>(raw.length);
    index.defaultReturnValue(-1);
    for (int i = 0; i < raw.length; i++) {
      if (raw[i] == null || raw[i].isEmpty()) {
        throw new IllegalArgumentException("idmap: empty raw id at index " + i);
      }
      if (index.put(raw[i], i) != -1) {
        throw new IllegalArgumentException("idmap: raw id '" + raw[i] + "' appears twice");
      }
    }
    String prefix = raw.length == 0 ? null : leadingNonDigits(raw[0]);
    int max = -1;
    for (int i = 0; prefix != null && i < raw.length; i++) {
      int v = number(raw[i], prefix);
      if (v < 0) {
        prefix = null;
      }
      max = Math.max(max, v);
    }
    if (prefix != null && max < 4L * raw.length + 1024) {
      int[] table = new int[max + 1];
      Arrays.fill(table, -1);
      for (int i = 0; i < raw.length; i++) {
        table[number(raw[i], prefix)] = i;
      }
      this.numberPrefix = prefix;
      this.byNumber = table;
    } else {
      this.numberPrefix = null;
      this.byNumber = null;
    }
  }

  private static String leadingNonDigits(String s) {
    int k = 0;
    while (k < s.length() && (s.charAt(k) < '0' || s.charAt(k) > '9')) {
      k++;
    }
    return s.substring(0, k);
  }

  /**
   * The number after {@code prefix} if s is exactly prefix + a canonical decimal below 10⁹, else
   * −1.
   */
  private static int number(String s, String prefix) {
    if (s == null || !s.startsWith(prefix)) {
      return -1;
    }
    int from = prefix.length();
    int digits = s.length() - from;
    if (digits < 1 || digits > 9 || (digits > 1 && s.charAt(from) == '0')) {
      return -1;
    }
    int v = 0;
    for (int k = from; k < s.length(); k++) {
      char c = s.charAt(k);
      if (c < '0' || c > '9') {
        return -1;
      }
      v = v * 10 + (c - '0');
    }
    return v;
  }

  /**
   * A stable 64-bit key of a raw id: FNV-1a over its UTF-8 bytes. The same string gives the same
   * key in every run and dataset, so hashed embeddings follow the raw id, not its row.
   */
  public static long hashKey(String rawId) {
    long h = 0xcbf29ce484222325L;
    for (byte b : rawId.getBytes(StandardCharsets.UTF_8)) {
      h ^= b & 0xff;
      h *= 0x100000001b3L;
    }
    return h;
  }

  /** {@link #hashKey} of every raw id, by index. */
  public long[] hashKeys() {
    long[] keys = new long[raw.length];
    for (int i = 0; i < raw.length; i++) {
      keys[i] = hashKey(raw[i]);
    }
    return keys;
  }

  public int size() {
    return raw.length;
  }

  /** The index of a raw id, or −1 if unknown. */
  public int indexOf(String rawId) {
    if (byNumber != null) {
      // Every key follows the pattern, so a string that does not is unknown.
      int v = number(rawId, numberPrefix);
      return v < 0 || v >= byNumber.length ? -1 : byNumber[v];
    }
    return index.getInt(rawId);
  }

  /** The raw id of an index. */
  public String rawId(int i) {
    return raw[i];
  }

  /** Reads an idmap CSV: header raw_id,index and every index 0..n−1 exactly once. */
  public static IdMap read(Path file) throws IOException {
    try (CsvReader csv = new CsvReader(file, ',')) {
      List<String> header = csv.next();
      if (header == null
          || header.size() != 2
          || !header.get(0).equals("raw_id")
          || !header.get(1).equals("index")) {
        throw new DatasetException(
            file
                + ":1: expected the header 'raw_id,index', found "
                + (header == null ? "an empty file" : String.join(",", header)));
      }
      java.util.ArrayList<String> ids = new java.util.ArrayList<>();
      java.util.ArrayList<Integer> idx = new java.util.ArrayList<>();
      List<String> r;
      while ((r = csv.next()) != null) {
        if (r.size() == 1 && r.get(0).isEmpty()) {
          continue;
        }
        if (r.size() != 2) {
          throw new DatasetException(
              file + ":" + csv.line() + ": expected 2 fields (raw_id,index), found " + r.size());
        }
        if (r.get(0).isEmpty()) {
          throw new DatasetException(file + ":" + csv.line() + ": field raw_id is empty");
        }
        ids.add(r.get(0));
        try {
          idx.add(Integer.parseInt(r.get(1).trim()));
        } catch (NumberFormatException e) {
          throw new DatasetException(
              file
                  + ":"
                  + csv.line()
                  + ": field index: expected a whole number, found '"
                  + r.get(1)
                  + "'");
        }
      }
      String[] raw = new String[ids.size()];
      for (int k = 0; k < ids.size(); k++) {
        int i = idx.get(k);
        if (i < 0 || i >= raw.length) {
          throw new DatasetException(
              file
                  + ": index "
                  + i
                  + " of raw id '"
                  + ids.get(k)
                  + "' is outside 0.."
                  + (raw.length - 1));
        }
        if (raw[i] != null) {
          throw new DatasetException(
              file
                  + ": index "
                  + i
                  + " is given twice ('"
                  + raw[i]
                  + "' and '"
                  + ids.get(k)
                  + "')");
        }
        raw[i] = ids.get(k);
      }
      try {
        return new IdMap(raw);
      } catch (IllegalArgumentException e) {
        throw new DatasetException(file + ": " + e.getMessage());
      }
    }
  }

  /** Writes the map as CSV (raw_id,index), atomically. */
  public void write(Path file) throws IOException {
    AtomicFiles.write(
        file,
        out -> {
          BufferedWriter w =
              new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8));
          w.write("raw_id,index\n");
          for (int i = 0; i < raw.length; i++) {
            w.write(Csv.quote(raw[i]));
            w.write(',');
            w.write(Integer.toString(i));
            w.write('\n');
          }
          w.flush();
        });
  }
}
