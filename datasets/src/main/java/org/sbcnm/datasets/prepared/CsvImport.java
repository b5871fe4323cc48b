package org.sbcnm.datasets.prepared;

import it.unimi.dsi.fastutil.floats.FloatArrayList;
import it.unimi.dsi.fastutil.ints.IntArrayList;
import it.unimi.dsi.fastutil.longs.LongArrayList;
import it.unimi.dsi.fastutil.objects.Object2IntLinkedOpenHashMap;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.sbcnm.engine.tensor.Tensor;

/**
 * Imports interactions from any delimited text file into the prepared layout.
 *
 * <p>Columns are named (with a header) or given by 0-based position; rating and timestamp are
 * optional (1 and the line number stand in). Ids are the raw strings of the file; users and items
 * are indexed in order of first appearance. With {@code minRating}, rows rated below it are dropped
 * (implicit feedback). Optional feature files ({@code id,f1,f2,...}, same delimiter, header) give
 * dense features; without one the features file has no column ([n, 0]), and training builds ID
 * towers on that side.
 */
public final class CsvImport {
  /**
   * @param file the interactions file
   * @param delimiter field separator
   * @param header whether the first line names the columns
   * @param user column name (with header) or 0-based position
   * @param item column name or position
   * @param rating column name or position, or null
   * @param timestamp column name or position, or null
   * @param minRating drop rows rated below this (NaN keeps all)
   * @param userFeatures optional user feature file, or null
   * @param itemFeatures optional item feature file, or null
   */
  public record Spec(
      Path file,
      char delimiter,
      boolean header,
      String user,
      String item,
      String rating,
      String timestamp,
      double minRating,
      Path userFeatures,
      Path itemFeatures) {}

  private CsvImport() {}

  public static PreparedDataset read(Spec s) throws IOException {
    Object2IntLinkedOpenHashMap<String> users = new Object2IntLinkedOpenHashMap<>();
    Object2IntLinkedOpenHashMap<String> items = new Object2IntLinkedOpenHashMap<>();
    users.defaultReturnValue(-1);
    items.defaultReturnValue(-1);
    IntArrayList u = new IntArrayList();
    IntArrayList i = new IntArrayList();
    FloatArrayList r = new FloatArrayList();
    LongArrayList t = new LongArrayList();
    try (CsvReader csv = new CsvReader(s.file(), s.delimiter())) {
      List<String> first = s.header() ? csv.next() : null;
      if (s.header() && first == null) {
        throw new DatasetException(s.file() + ": empty file (expected a header line)");
      }
      List<String> names = first == null ? null : List.copyOf(first);
      int uc = column(s.user(), names, s.file(), "user");
      int ic = column(s.item(), names, s.file(), "item");
      int rc = s.rating() == null ? -1 : column(s.rating(), names, s.file(), "rating");
      int tc = s.timestamp() == null ? -1 : column(s.timestamp(), names, s.file(), "timestamp");
      int need = Math.max(Math.max(uc, ic), Math.max(rc, tc)) + 1;
      List<String> f;
      while ((f = csv.next()) != null) {
        if (f.size() == 1 && f.get(0).isEmpty()) {
          continue;
        }
        long line = csv.line();
        if (f.size() < need) {
          throw new DatasetException(
              s.file() + ":" + line + ": expected at least " + need + " fields, found " + f.size());
        }
        float rating = 1f;
        if (rc >= 0) {
          try {
            rating = Float.parseFloat(f.get(rc).trim());
          } catch (NumberFormatException e) {
            throw new DatasetException(
                s.file()
                    + ":"
                    + line
                    + ": field "
                    + label(names, rc)
                    + ": expected a number, found '"
                    + f.get(rc)
                    + "'");
          }
          if (!Float.isFinite(rating)) {
            throw new DatasetException(
                s.file()
                    + ":"
                    + line
                    + ": field "
                    + label(names, rc)
                    + ": expected a finite number, found '"
                    + f.get(rc)
                    + "'");
          }
          if (!Double.isNaN(s.minRating()) && rating < s.minRating()) {
            continue;
          }
        }
        long ts = line;
        if (tc >= 0) {
          try {
            ts = Long.parseLong(f.get(tc).trim());
          } catch (NumberFormatException e) {
            throw new DatasetException(
                s.file()
                    + ":"
                    + line
                    + ": field "
                    + label(names, tc)
                    + ": expected a whole number, found '"
                    + f.get(tc)
                    + "'");
          }
        }
        String uid = f.get(uc).trim();
        String iid = f.get(ic).trim();
        if (uid.isEmpty() || iid.isEmpty()) {
          throw new DatasetException(
              s.file()
                  + ":"
                  + line
                  + ": field "
                  + label(names, uid.isEmpty() ? uc : ic)
                  + " is empty");
        }
        u.add(index(users, uid));
        i.add(index(items, iid));
        r.add(rating);
        t.add(ts);
      }
    }
    if (u.isEmpty()) {
      throw new DatasetException(
          s.file()
              + ": no interactions"
              + (Double.isNaN(s.minRating()) ? "" : " rated >= " + s.minRating()));
    }
    IdMap userMap = new IdMap(users.keySet().toArray(new String[0]));
    IdMap itemMap = new IdMap(items.keySet().toArray(new String[0]));
    Tensor qf =
        s.userFeatures() == null
            ? noFeatures(userMap.size())
            : features(s.userFeatures(), s.delimiter(), userMap);
    Tensor itf =
        s.itemFeatures() == null
            ? noFeatures(itemMap.size())
            : features(s.itemFeatures(), s.delimiter(), itemMap);
    return new PreparedDataset(
        qf,
        itf,
        userMap,
        itemMap,
        new Interactions(u.toIntArray(), i.toIntArray(), r.toFloatArray(), t.toLongArray()),
        null,
        null,
        null,
        "");
  }

  private static int index(Object2IntLinkedOpenHashMap<String> map, String id) {
    int k = map.getInt(id);
    if (k < 0) {
      k = map.size();
      map.put(id, k);
    }
    return k;
  }

  private static String label(List<String> names, int c) {
    return names == null ? "#" + c : "'" + names.get(c) + "'";
  }

  private static int column(String spec, List<String> names, Path file, String what)
      throws DatasetException {
    if (spec.matches("\\d{1,9}")) {
      return Integer.parseInt(spec);
    }
    if (names == null) {
      throw new DatasetException(
          file
              + ": the "
              + what
              + " column '"
              + spec
              + "' is a name, but the file has no header (give a 0-based position)");
    }
    int c = names.indexOf(spec);
    if (c < 0) {
      throw new DatasetException(
          file
              + ":1: no column named '"
              + spec
              + "' for the "
              + what
              + " (columns: "
              + String.join(", ", names)
              + ")"
              + delimiterHint(names));
    }
    return c;
  }

  /** When the header split into one column that holds a tab or a semicolon, says which to use. */
  private static String delimiterHint(List<String> names) {
    if (names.size() != 1) {
      return "";
    }
    String only = names.get(0);
    if (only.indexOf('\t') >= 0) {
      return "; the header holds tabs: the file is tab-separated (delimiter 'tab')";
    }
    if (only.indexOf(';') >= 0) {
      return "; the header holds semicolons: the file is ';'-separated (delimiter ';')";
    }
    if (only.indexOf('|') >= 0) {
      return "; the header holds '|': the file is '|'-separated (delimiter '|')";
    }
    return "";
  }

  /** No features: [n, 0]. Nothing is made up; towers that need features are not built on it. */
  private static Tensor noFeatures(int n) {
    return Tensor.zeros(n, 0);
  }

  private static Tensor features(Path file, char delimiter, IdMap ids) throws IOException {
    Tensor out = null;
    boolean[] seen = new boolean[ids.size()];
    try (CsvReader csv = new CsvReader(file, delimiter)) {
      List<String> header = csv.next();
      if (header == null || header.size() < 2) {
        throw new DatasetException(
            file + ":1: expected a header 'id,feature,...' with at least one feature");
      }
      int d = header.size() - 1;
      out = Tensor.zeros(ids.size(), d);
      List<String> f;
      while ((f = csv.next()) != null) {
        if (f.size() == 1 && f.get(0).isEmpty()) {
          continue;
        }
        if (f.size() != d + 1) {
          throw new DatasetException(
              file + ":" + csv.line() + ": expected " + (d + 1) + " fields, found " + f.size());
        }
        int row = ids.indexOf(f.get(0).trim());
        if (row < 0) {
          continue;
        }
        seen[row] = true;
        for (int j = 0; j < d; j++) {
          try {
            float v = Float.parseFloat(f.get(j + 1).trim());
            if (!Float.isFinite(v)) {
              throw new NumberFormatException();
            }
            out.set(row, j, v);
          } catch (NumberFormatException e) {
            throw new DatasetException(
                file
                    + ":"
                    + csv.line()
                    + ": field '"
                    + header.get(j + 1)
                    + "': expected a finite number, found '"
                    + f.get(j + 1)
                    + "'");
          }
        }
      }
    }
    for (int k = 0; k < seen.length; k++) {
      if (!seen[k]) {
        throw new DatasetException(file + ": no features for id '" + ids.rawId(k) + "'");
      }
    }
    return out;
  }
}
