package org.sbcnm.datasets.movielens;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sbcnm.datasets.prepared.DatasetException;
import org.sbcnm.datasets.prepared.PreparedDataset;

/** A five-user MovieLens-format fixture made here (the real data is not redistributable). */
class MovieLens100kTest {
  @TempDir Path dir;

  static void fixture(Path d) throws IOException {
    Files.createDirectories(d);
    Files.writeString(
        d.resolve("u.user"),
        "1|24|M|technician|85711\n2|53|F|other|94043\n3|23|M|writer|32067\n4|15|F|student|K1A0B\n5|60|M|other|15213\n");
    StringBuilder items = new StringBuilder();
    String[] dates = {
      "01-Jan-1995", "", "01-Jan-1977", "12-Mar-1993", "01-Jan-1931", "05-Oct-1996"
    };
    for (int i = 1; i <= 6; i++) {
      StringBuilder genres = new StringBuilder();
      for (int g = 0; g < 19; g++) {
        genres.append(g == (i % 19) || g == 8 ? "|1" : "|0");
      }
      items
          .append(i)
          .append("|Caf\u00e9 ")
          .append(i)
          .append(" (1995)|")
          .append(dates[i - 1])
          .append("||http://x")
          .append(genres)
          .append('\n');
    }
    // Latin-1 bytes (the é of "Café"): reading u.item as UTF-8 would fail on them.
    Files.write(d.resolve("u.item"), items.toString().getBytes(StandardCharsets.ISO_8859_1));
    StringBuilder data = new StringBuilder();
    long t = 874965758L;
    for (int u = 1; u <= 5; u++) {
      for (int i = 1; i <= 6; i++) {
        if ((u + i) % 3 != 0) {
          data.append(u)
              .append('\t')
              .append(i)
              .append('\t')
              .append(1 + (u * i) % 5)
              .append('\t')
              .append(t++)
              .append('\n');
        }
      }
    }
    Files.writeString(d.resolve("u.data"), data.toString());
  }

  @Test
  void preparesEveryFile() throws IOException {
    Path src = dir.resolve("ml-100k");
    fixture(src);
    PreparedDataset d = MovieLens100k.prepare(src);
    assertEquals(5, d.numUsers());
    assertEquals(6, d.numItems());
    assertEquals(1 + 2 + 4, d.queryFeatures().cols(), "age + gender + 4 occupations");
    assertEquals(20, d.itemFeatures().cols(), "19 genres + year");
    assertEquals(4, d.querySide().fields());
    assertEquals(2, d.itemSide().fields());
    assertEquals(10, d.querySide().code(3, 3), "zip K1A0B is not a digit");
    assertEquals(0, d.querySide().code(3, 0), "age 15 < 18");
    assertEquals(6, d.querySide().code(4, 0), "age 60 is 56+");
    assertEquals(8, d.itemSide().code(1, 0), "no release date");
    assertEquals(0.5, d.itemFeatures().get(1, 19), 1e-6);
    assertTrue(d.itemEdges().size() > 0);
    assertEquals(20, d.interactions().size());
    Path out = dir.resolve("prepared");
    d.writeAtomically(out);
    PreparedDataset back = PreparedDataset.read(out, false);
    assertEquals(20, back.interactions().size());
  }

  @Test
  void reportsBadLines() throws IOException {
    Path src = dir.resolve("ml");
    fixture(src);
    Files.writeString(
        src.resolve("u.data"), Files.readString(src.resolve("u.data")) + "1\t99\t3\t5\n");
    DatasetException e = assertThrows(DatasetException.class, () -> MovieLens100k.prepare(src));
    assertTrue(
        e.getMessage().contains("u.data:21: field item id: '99' is not in u.item"), e.getMessage());
    fixture(src);
    Files.writeString(src.resolve("u.user"), "1|old|M|x|1\n");
    e = assertThrows(DatasetException.class, () -> MovieLens100k.prepare(src));
    assertTrue(
        e.getMessage().contains("u.user:1: field age: expected a whole number, found 'old'"),
        e.getMessage());
    Files.delete(src.resolve("u.item"));
    assertTrue(
        assertThrows(DatasetException.class, () -> MovieLens100k.prepare(src))
            .getMessage()
            .contains("u.item: missing"));
  }
}
