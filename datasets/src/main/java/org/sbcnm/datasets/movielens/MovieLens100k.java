package org.sbcnm.datasets.movielens;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.sbcnm.datasets.graph.CooccurrenceGraph;
import org.sbcnm.datasets.prepared.CategoricalFields;
import org.sbcnm.datasets.prepared.DatasetException;
import org.sbcnm.datasets.prepared.IdMap;
import org.sbcnm.datasets.prepared.Interactions;
import org.sbcnm.datasets.prepared.PreparedDataset;
import org.sbcnm.datasets.split.HeldOutSplit;
import org.sbcnm.engine.tensor.Tensor;

/**
 * Prepares MovieLens 100K (the official {@code ml-100k} folder) in the layout of shared/FORMAT.md.
 *
 * <ul>
 *   <li>{@code q_feats} [users, 1 + 2 + O]: age min-max scaled to [0, 1], gender one-hot (M, F),
 *       occupation one-hot over the O occupations found (sorted by name).
 *   <li>{@code i_feats} [items, 19 + 1]: the 19 genre flags, release year min-max scaled (a movie
 *       with no date gets 0.5, the middle).
 *   <li>{@code q_side_cat}: age bucket (&lt;18, 18–24, 25–34, 35–44, 45–49, 50–55, 56+, as
 *       MovieLens 1M), gender, occupation, zip prefix (first digit; 10 for a non-digit).
 *   <li>{@code i_side_cat}: release decade (1920s or before = 0 … 1990s = 7; 8 = unknown), first
 *       genre flag set (19 = none).
 *   <li>{@code item_edges.csv}: the top-10 co-occurrence graph of training interactions only (each
 *       user's last rating held out, as the evaluation does).
 *   <li>{@code interactions.csv}: every rating with raw ids as in the files.
 * </ul>
 *
 * {@code u.data} is tab-separated; {@code u.item} and {@code u.user} are {@code |}-separated;
 * {@code u.item} is Latin-1. Every malformed line is reported with its file, line and field.
 */
public final class MovieLens100k {
  static final int GENRES = 19;

  private MovieLens100k() {}

  public static PreparedDataset prepare(Path src) throws IOException {
    Path data = require(src, "u.data");
    Path itemFile = require(src, "u.item");
    Path userFile = require(src, "u.user");
    List<String[]> userRows = read(userFile, "\\|", 5, StandardCharsets.ISO_8859_1);
    List<String[]> itemRows = read(itemFile, "\\|", 5 + GENRES, StandardCharsets.ISO_8859_1);
    if (userRows.isEmpty() || itemRows.isEmpty()) {
      throw new DatasetException(
          (userRows.isEmpty() ? userFile : itemFile) + ": empty (expected one line per id)");
    }
    String[] userIds = new String[userRows.size()];
    TreeSet<String> occupations = new TreeSet<>();
    int[] ages = new int[userRows.size()];
    for (int r = 0; r < userRows.size(); r++) {
      String[] f = userRows.get(r);
      userIds[r] = f[0].trim();
      ages[r] = parseInt(f[1], userFile, r + 1, "age");
      if (!f[2].equals("M") && !f[2].equals("F")) {
        throw new DatasetException(
            userFile + ":" + (r + 1) + ": field gender: expected M or F, found '" + f[2] + "'");
      }
      occupations.add(f[3].trim());
    }
    List<String> occ = new ArrayList<>(occupations);
    int minAge = java.util.Arrays.stream(ages).min().orElse(0);
    int maxAge = java.util.Arrays.stream(ages).max().orElse(1);
    int dq = 1 + 2 + occ.size();
    Tensor qf = Tensor.zeros(userRows.size(), dq);
    int[] qSide = new int[userRows.size() * 4];
    for (int r = 0; r < userRows.size(); r++) {
      String[] f = userRows.get(r);
      qf.set(r, 0, (ages[r] - minAge) / (double) Math.max(1, maxAge - minAge));
      int gender = f[2].equals("M") ? 0 : 1;
      qf.set(r, 1 + gender, 1);
      int o = occ.indexOf(f[3].trim());
      qf.set(r, 3 + o, 1);
      qSide[r * 4] = ageBucket(ages[r]);
      qSide[r * 4 + 1] = gender;
      qSide[r * 4 + 2] = o;
      String zip = f[4].trim();
      qSide[r * 4 + 3] =
          !zip.isEmpty() && Character.isDigit(zip.charAt(0)) ? zip.charAt(0) - '0' : 10;
    }
    String[] itemIds = new String[itemRows.size()];
    int[] years = new int[itemRows.size()];
    int minYear = Integer.MAX_VALUE;
    int maxYear = Integer.MIN_VALUE;
    for (int r = 0; r < itemRows.size(); r++) {
      String[] f = itemRows.get(r);
      itemIds[r] = f[0].trim();
      years[r] = year(f[2], itemFile, r + 1);
      if (years[r] > 0) {
        minYear = Math.min(minYear, years[r]);
        maxYear = Math.max(maxYear, years[r]);
      }
    }
    Tensor itf = Tensor.zeros(itemRows.size(), GENRES + 1);
    int[] iSide = new int[itemRows.size() * 2];
    for (int r = 0; r < itemRows.size(); r++) {
      String[] f = itemRows.get(r);
      int firstGenre = GENRES;
      for (int g = 0; g < GENRES; g++) {
        String flag = f[5 + g].trim();
        if (!flag.equals("0") && !flag.equals("1")) {
          throw new DatasetException(
              itemFile
                  + ":"
                  + (r + 1)
                  + ": field genre "
                  + (g + 1)
                  + ": expected 0 or 1, found '"
                  + flag
                  + "'");
        }
        if (flag.equals("1")) {
          itf.set(r, g, 1);
          firstGenre = Math.min(firstGenre, g);
        }
      }
      itf.set(
          r,
          GENRES,
          years[r] > 0 ? (years[r] - minYear) / (double) Math.max(1, maxYear - minYear) : 0.5);
      iSide[r * 2] = years[r] > 0 ? Math.max(0, Math.min(7, (years[r] - 1920) / 10)) : 8;
      iSide[r * 2 + 1] = firstGenre;
    }
    IdMap users;
    IdMap items;
    try {
      users = new IdMap(userIds);
      items = new IdMap(itemIds);
    } catch (IllegalArgumentException e) {
      throw new DatasetException(src + ": " + e.getMessage());
    }
    Interactions inter = readRatings(data, users, items);
    HeldOutSplit split = HeldOutSplit.of(inter, users.size());
    return new PreparedDataset(
        qf,
        itf,
        users,
        items,
        inter,
        new CategoricalFields(users.size(), 4, qSide),
        new CategoricalFields(items.size(), 2, iSide),
        CooccurrenceGraph.build(split.train(), users.size(), items.size(), 10),
        "");
  }

  static int ageBucket(int age) {
    int[] bounds = {18, 25, 35, 45, 50, 56};
    int b = 0;
    while (b < bounds.length && age >= bounds[b]) {
      b++;
    }
    return b;
  }

  private static Interactions readRatings(Path file, IdMap users, IdMap items) throws IOException {
    List<String[]> rows = read(file, "\t", 4, StandardCharsets.UTF_8);
    int n = rows.size();
    if (n == 0) {
      throw new DatasetException(
          file + ": no ratings (expected user, item, rating, timestamp lines)");
    }
    int[] u = new int[n];
    int[] i = new int[n];
    float[] r = new float[n];
    long[] t = new long[n];
    for (int k = 0; k < n; k++) {
      String[] f = rows.get(k);
      u[k] = users.indexOf(f[0].trim());
      if (u[k] < 0) {
        throw new DatasetException(
            file + ":" + (k + 1) + ": field user id: '" + f[0] + "' is not in u.user");
      }
      i[k] = items.indexOf(f[1].trim());
      if (i[k] < 0) {
        throw new DatasetException(
            file + ":" + (k + 1) + ": field item id: '" + f[1] + "' is not in u.item");
      }
      r[k] = parseInt(f[2], file, k + 1, "rating");
      if (r[k] < 1 || r[k] > 5) {
        throw new DatasetException(
            file + ":" + (k + 1) + ": field rating: expected 1 to 5, found '" + f[2] + "'");
      }
      try {
        t[k] = Long.parseLong(f[3].trim());
      } catch (NumberFormatException e) {
        throw new DatasetException(
            file
                + ":"
                + (k + 1)
                + ": field timestamp: expected a whole number, found '"
                + f[3]
                + "'");
      }
    }
    return new Interactions(u, i, r, t);
  }

  private static int year(String date, Path file, int line) throws DatasetException {
    String d = date.trim();
    if (d.isEmpty()) {
      return 0;
    }
    int dash = d.lastIndexOf('-');
    try {
      return Integer.parseInt(d.substring(dash + 1));
    } catch (NumberFormatException e) {
      throw new DatasetException(
          file + ":" + line + ": field release date: expected dd-Mon-yyyy, found '" + date + "'");
    }
  }

  private static int parseInt(String s, Path file, int line, String field) throws DatasetException {
    try {
      return Integer.parseInt(s.trim());
    } catch (NumberFormatException e) {
      throw new DatasetException(
          file + ":" + line + ": field " + field + ": expected a whole number, found '" + s + "'");
    }
  }

  private static Path require(Path dir, String name) throws DatasetException {
    Path p = dir.resolve(name);
    if (!Files.isRegularFile(p)) {
      throw new DatasetException(
          p + ": missing (expected the official ml-100k folder with u.data, u.item, u.user)");
    }
    return p;
  }

  /** Non-empty lines split on {@code sep}, each with at least {@code minFields} fields. */
  private static List<String[]> read(
      Path file, String sep, int minFields, java.nio.charset.Charset cs) throws IOException {
    List<String[]> rows = new ArrayList<>();
    try (BufferedReader r = Files.newBufferedReader(file, cs)) {
      String line;
      int n = 0;
      while ((line = r.readLine()) != null) {
        n++;
        if (line.isBlank()) {
          continue;
        }
        String[] f = line.split(sep, -1);
        if (f.length < minFields) {
          throw new DatasetException(
              file + ":" + n + ": expected at least " + minFields + " fields, found " + f.length);
        }
        rows.add(f);
      }
    } catch (java.nio.charset.MalformedInputException e) {
      throw new DatasetException(file + ": not valid " + cs.name() + " text");
    }
    return rows;
  }
}
