package org.sbcnm.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sbcnm.datasets.prepared.CsvImport;
import org.sbcnm.datasets.prepared.PreparedDataset;

/** `prep` on Spark writes what `prep csv` writes, byte for byte, and refuses bad input. */
class SparkPrepTest {
  @TempDir static Path dir;
  private static SparkSession spark;
  private static Path movieLens;

  @BeforeAll
  static void data() throws IOException {
    spark = LocalSpark.get();
    movieLens = dir.resolve("u.data");
    Files.writeString(movieLens, movieLensShaped(400, 60, 3000, 11), StandardCharsets.UTF_8);
  }

  /**
   * MovieLens-shaped lines (user TAB item TAB rating TAB timestamp, no header) in a seeded random
   * order: ids first seen anywhere in the file, many equal timestamps, a few repeated pairs.
   */
  static String movieLensShaped(int users, int items, int lines, long seed) {
    Random rng = new Random(seed);
    StringBuilder sb = new StringBuilder();
    for (int k = 0; k < lines; k++) {
      int u = 1 + rng.nextInt(users);
      int i = 1 + (int) Math.floor(items * Math.pow(rng.nextDouble(), 2));
      sb.append(u)
          .append('\t')
          .append(i)
          .append('\t')
          .append(1 + rng.nextInt(5))
          .append('\t')
          .append(881_250_000L + rng.nextInt(500))
          .append('\n');
    }
    return sb.toString();
  }

  private static Path prepCsv(
      Path file,
      char delimiter,
      boolean header,
      String user,
      String item,
      String rating,
      String time,
      double minRating,
      String name)
      throws IOException {
    Path out = dir.resolve(name);
    CsvImport.read(
            new CsvImport.Spec(
                file, delimiter, header, user, item, rating, time, minRating, null, null))
        .writeAtomically(out);
    return out;
  }

  private static int jobs(StringWriter out, StringWriter err, String... args) {
    return SparkJobs.run(spark, new PrintWriter(out, true), new PrintWriter(err, true), args);
  }

  private static void assertSameFiles(Path expected, Path actual) throws IOException {
    List<String> names = new ArrayList<>();
    try (Stream<Path> s = Files.list(expected)) {
      s.forEach(p -> names.add(p.getFileName().toString()));
    }
    List<String> got = new ArrayList<>();
    try (Stream<Path> s = Files.list(actual)) {
      s.forEach(p -> got.add(p.getFileName().toString()));
    }
    names.sort(null);
    got.sort(null);
    assertEquals(names, got);
    for (String n : names) {
      assertArrayEquals(
          Files.readAllBytes(expected.resolve(n)), Files.readAllBytes(actual.resolve(n)), n);
    }
  }

  @Test
  void movieLensShapedFileGivesTheSameBytesAsPrepCsv() throws IOException {
    Path expected = prepCsv(movieLens, '\t', false, "0", "1", "2", "3", Double.NaN, "ml-jvm");
    Path out = dir.resolve("ml-spark");
    StringWriter o = new StringWriter();
    StringWriter e = new StringWriter();
    int code =
        jobs(
            o,
            e,
            "prep",
            "--input",
            movieLens.toString(),
            "--delimiter",
            "tab",
            "--no_header",
            "--user_col",
            "0",
            "--item_col",
            "1",
            "--rating_col",
            "2",
            "--time_col",
            "3",
            "--out",
            out.toString());
    assertEquals(0, code, e.toString());
    assertTrue(
        spark.read().option("sep", "\t").csv(movieLens.toString()).javaRDD().getNumPartitions() > 1,
        "the file should reach Spark as several partitions");
    assertSameFiles(expected, out);
    PreparedDataset d = PreparedDataset.read(out, false);
    assertTrue(o.toString().contains(d.numUsers() + " users, " + d.numItems() + " items, 3000"));
  }

  @Test
  void ownSparkCodePreparesADataFrameThroughTheEntryPoint() throws IOException {
    Path expected = prepCsv(movieLens, '\t', false, "0", "1", "2", "3", Double.NaN, "ml-jvm-2");
    Path out = dir.resolve("ml-own-code");
    SparkPrep.Report r =
        Sbcnm.on(spark)
            .prepare(
                spark.read().option("sep", "\t").csv(movieLens.toString()),
                new SparkPrep.Spec("_c0", "_c1", "_c2", "_c3", Double.NaN),
                out.toString());
    assertEquals(3000, r.interactions());
    assertSameFiles(expected, out);
  }

  @Test
  void minimumRatingHeaderQuotesAndParquetAsPrepCsv() throws IOException {
    StringBuilder sb = new StringBuilder("uid,movie,stars,when\n");
    Random rng = new Random(3);
    for (int k = 0; k < 800; k++) {
      String item =
          rng.nextInt(4) == 0 ? "\"film, part " + rng.nextInt(9) + "\"" : "m" + rng.nextInt(40);
      String stars =
          rng.nextBoolean() ? Integer.toString(rng.nextInt(5)) : (rng.nextInt(9) / 2.0) + "";
      sb.append(" u")
          .append(rng.nextInt(90))
          .append(' ')
          .append(',')
          .append(item)
          .append(',')
          .append(stars)
          .append(',')
          .append(rng.nextInt(50))
          .append('\n');
    }
    Path file = dir.resolve("ratings.csv");
    Files.writeString(file, sb.toString());
    Path expected = prepCsv(file, ',', true, "uid", "movie", "stars", "when", 2.5, "q-jvm");
    Path out = dir.resolve("q-spark");
    StringWriter e = new StringWriter();
    int code =
        jobs(
            new StringWriter(),
            e,
            "prep",
            "--input",
            file.toString(),
            "--user_col",
            "uid",
            "--item_col",
            "movie",
            "--rating_col",
            "stars",
            "--time_col",
            "when",
            "--min_rating",
            "2.5",
            "--out",
            out.toString());
    assertEquals(0, code, e.toString());
    assertSameFiles(expected, out);

    // The same rows from Parquet: one file, written by one task, read in one order.
    Path parquet = dir.resolve("ratings.parquet");
    spark
        .read()
        .option("header", true)
        .option("escape", "\"")
        .csv(file.toString())
        .coalesce(1)
        .write()
        .parquet(parquet.toString());
    Path fromParquet = dir.resolve("q-parquet");
    code =
        jobs(
            new StringWriter(),
            e,
            "prep",
            "--input",
            parquet.toString(),
            "--format",
            "parquet",
            "--user_col",
            "uid",
            "--item_col",
            "movie",
            "--rating_col",
            "stars",
            "--time_col",
            "when",
            "--min_rating",
            "2.5",
            "--out",
            fromParquet.toString());
    assertEquals(0, code, e.toString());
    assertSameFiles(expected, fromParquet);
  }

  @Test
  void badRowsExitTwoNamingTheFieldAndWriteNothing() throws IOException {
    Path file = dir.resolve("bad.csv");
    Files.writeString(file, "user_id,item_id,rating,timestamp\na,b,4,10\nc,d,four,11\n");
    Path out = dir.resolve("bad-out");
    StringWriter e = new StringWriter();
    int code =
        jobs(
            new StringWriter(),
            e,
            "prep",
            "--input",
            file.toString(),
            "--rating_col",
            "rating",
            "--time_col",
            "timestamp",
            "--out",
            out.toString());
    assertEquals(2, code);
    assertTrue(
        e.toString().contains("field 'rating': expected a number, found 'four'"), e.toString());
    assertFalse(e.toString().contains("\tat "), "no stack trace: " + e);
    assertFalse(Files.exists(out));
    try (Stream<Path> s = Files.list(dir)) {
      assertFalse(s.anyMatch(p -> p.getFileName().toString().contains(".building-")));
    }

    Files.writeString(file, "user_id,item_id,rating,timestamp\na,b,4,10\nc,d,4,later\n");
    e = new StringWriter();
    assertEquals(
        2,
        jobs(
            new StringWriter(),
            e,
            "prep",
            "--input",
            file.toString(),
            "--time_col",
            "timestamp",
            "--out",
            out.toString()));
    assertTrue(
        e.toString().contains("field 'timestamp': expected a whole number, found 'later'"),
        e.toString());

    e = new StringWriter();
    assertEquals(
        2,
        jobs(
            new StringWriter(),
            e,
            "prep",
            "--input",
            file.toString(),
            "--user_col",
            "person",
            "--time_col",
            "timestamp",
            "--out",
            out.toString()));
    assertTrue(e.toString().contains("no column named 'person' for the user"), e.toString());

    Files.writeString(file, "user_id,item_id,rating,timestamp\na,b,1,10\n");
    e = new StringWriter();
    assertEquals(
        2,
        jobs(
            new StringWriter(),
            e,
            "prep",
            "--input",
            file.toString(),
            "--rating_col",
            "rating",
            "--min_rating",
            "3",
            "--time_col",
            "timestamp",
            "--out",
            out.toString()));
    assertTrue(e.toString().contains("no interactions rated >= 3.0"), e.toString());
  }

  @Test
  void refusesAFullFolderAndTheInputAsOutput() throws IOException {
    Path full = dir.resolve("full");
    Files.createDirectories(full);
    Files.writeString(full.resolve("keep.txt"), "mine");
    StringWriter e = new StringWriter();
    String[] args = {
      "prep",
      "--input",
      movieLens.toString(),
      "--delimiter",
      "tab",
      "--no_header",
      "--user_col",
      "0",
      "--item_col",
      "1",
      "--time_col",
      "3",
      "--out",
      full.toString()
    };
    assertEquals(2, jobs(new StringWriter(), e, args));
    assertTrue(e.toString().contains("not an empty folder; pass --overwrite"), e.toString());
    assertEquals("mine", Files.readString(full.resolve("keep.txt")));

    String[] over = java.util.Arrays.copyOf(args, args.length + 1);
    over[args.length] = "--overwrite";
    assertEquals(0, jobs(new StringWriter(), e, over), e.toString());
    assertFalse(Files.exists(full.resolve("keep.txt")));
    assertTrue(Files.exists(full.resolve(PreparedDataset.INTERACTIONS)));

    e = new StringWriter();
    assertEquals(
        2,
        jobs(
            new StringWriter(),
            e,
            "prep",
            "--input",
            movieLens.toString(),
            "--time_col",
            "3",
            "--out",
            dir.toString(),
            "--overwrite"));
    assertTrue(e.toString().contains("would overwrite the input"), e.toString());
    assertTrue(Files.exists(movieLens));
  }
}
