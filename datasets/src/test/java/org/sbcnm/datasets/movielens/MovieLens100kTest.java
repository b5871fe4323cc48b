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
    assertFeaturesHaveTheirKnownValues(d);
    Path out = dir.resolve("prepared");
    d.writeAtomically(out);
    PreparedDataset back = PreparedDataset.read(out, false);
    assertEquals(20, back.interactions().size());
  }

  /** Every feature of users 1, 2 and items 1, 3, 5, 6 of the fixture, from the definitions. */
  private static void assertFeaturesHaveTheirKnownValues(PreparedDataset d) {
    int u1 = d.users().indexOf("1");
    int u2 = d.users().indexOf("2");
    // Ages 15..60: user 1 is 24, user 2 is 53. Occupations sorted: other, student, technician,
    // writer (one-hot from column 3).
    float[] user1 = {9 / 45f, 1, 0, 0, 0, 1, 0};
    float[] user2 = {38 / 45f, 0, 1, 1, 0, 0, 0};
    for (int c = 0; c < 7; c++) {
      assertEquals(user1[c], d.queryFeatures().get(u1, c), 1e-6, "user 1 column " + c);
      assertEquals(user2[c], d.queryFeatures().get(u2, c), 1e-6, "user 2 column " + c);
    }
    // Side fields: age bucket, gender, occupation, first zip digit.
    int[] side1 = {1, 0, 2, 8};
    int[] side2 = {5, 1, 0, 9};
    for (int f = 0; f < 4; f++) {
      assertEquals(side1[f], d.querySide().code(u1, f), "user 1 field " + f);
      assertEquals(side2[f], d.querySide().code(u2, f), "user 2 field " + f);
    }
    // Items: genres i % 19 and 8; years 1995, -, 1977, 1993, 1931, 1996 scaled over 1931..1996.
    int i1 = d.items().indexOf("1");
    int i3 = d.items().indexOf("3");
    int i5 = d.items().indexOf("5");
    int i6 = d.items().indexOf("6");
    for (int g = 0; g < 19; g++) {
      assertEquals(g == 1 || g == 8 ? 1f : 0f, d.itemFeatures().get(i1, g), "item 1 genre " + g);
      assertEquals(g == 3 || g == 8 ? 1f : 0f, d.itemFeatures().get(i3, g), "item 3 genre " + g);
    }
    assertEquals(64 / 65f, d.itemFeatures().get(i1, 19), 1e-6);
    assertEquals(46 / 65f, d.itemFeatures().get(i3, 19), 1e-6);
    assertEquals(0f, d.itemFeatures().get(i5, 19), 1e-6);
    assertEquals(1f, d.itemFeatures().get(i6, 19), 1e-6);
    // Decade (1920s or before = 0 ... 1990s = 7) and first genre.
    assertEquals(7, d.itemSide().code(i1, 0));
    assertEquals(5, d.itemSide().code(i3, 0));
    assertEquals(1, d.itemSide().code(i5, 0));
    assertEquals(1, d.itemSide().code(i1, 1));
    assertEquals(3, d.itemSide().code(i3, 1));
    assertEquals(5, d.itemSide().code(i5, 1));
    // Ratings 1 + (u·i) mod 5 at increasing times: user 2's rating of item 2 is 5.
    for (int k = 0; k < d.interactions().size(); k++) {
      if (d.interactions().user(k) == u2 && d.interactions().item(k) == d.items().indexOf("2")) {
        assertEquals(5f, d.interactions().rating(k));
      }
    }
  }

  @Test
  void ageBucketsFollowMovieLens1m() {
    int[] ages = {1, 17, 18, 24, 25, 34, 35, 44, 45, 49, 50, 55, 56, 90};
    int[] buckets = {0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6};
    for (int k = 0; k < ages.length; k++) {
      assertEquals(buckets[k], MovieLens100k.ageBucket(ages[k]), "age " + ages[k]);
    }
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

  @Test
  void refusesEmptyFilesAndRatingsOutOfRange() throws IOException {
    Path src = dir.resolve("ml");
    fixture(src);
    Files.writeString(src.resolve("u.data"), "\n");
    DatasetException e = assertThrows(DatasetException.class, () -> MovieLens100k.prepare(src));
    assertTrue(e.getMessage().contains("u.data: no ratings"), e.getMessage());
    fixture(src);
    Files.writeString(src.resolve("u.data"), "1\t1\t6\t5\n");
    e = assertThrows(DatasetException.class, () -> MovieLens100k.prepare(src));
    assertTrue(
        e.getMessage().contains("u.data:1: field rating: expected 1 to 5, found '6'"),
        e.getMessage());
    fixture(src);
    Files.writeString(src.resolve("u.user"), "");
    e = assertThrows(DatasetException.class, () -> MovieLens100k.prepare(src));
    assertTrue(e.getMessage().contains("u.user: empty"), e.getMessage());
  }
}
