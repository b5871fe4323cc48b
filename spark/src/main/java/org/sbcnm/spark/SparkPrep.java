package org.sbcnm.spark;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.monotonically_increasing_id;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import org.sbcnm.datasets.prepared.Csv;
import org.sbcnm.datasets.prepared.DatasetException;
import org.sbcnm.datasets.prepared.PreparedDataset;
import org.sbcnm.engine.io.Npy;
import org.sbcnm.engine.tensor.Tensor;

/**
 * Prepares interactions from any Spark source into the layout of shared/FORMAT.md, as {@code prep
 * csv} does in one JVM, and byte for byte the same on the same rows.
 *
 * <ul>
 *   <li>Ids are the trimmed strings of the user and item columns; ratings parse as floats (1
 *       without a rating column), timestamps as whole numbers (a timestamp or date column counts
 *       seconds).
 *   <li>{@code minRating} drops the rows rated below it.
 *   <li>Users and items are indexed in the order of their first row. The source's row order is its
 *       partitions' order (for one CSV file, its line order): the job numbers rows before anything
 *       moves them.
 *   <li>The output is {@code interactions.csv} in source order, {@code q_idmap.csv} and {@code
 *       i_idmap.csv}, and featureless {@code q_feats.npy} [users, 0] and {@code i_feats.npy}
 *       [items, 0] (ID towers). Executors write parts; the driver joins them into single files.
 *   <li>The folder is built beside the target and renamed into place: a failed job leaves nothing
 *       half-written.
 * </ul>
 *
 * The held-out split is not a file of the layout: every reader (the trainer, {@code eval}, {@link
 * BatchRetrieval}) derives it from the timestamps.
 */
public final class SparkPrep {
  /**
   * Which columns hold what.
   *
   * @param user the user id column: a name, or a 0-based position
   * @param item the item id column
   * @param rating the rating column, or null (every row rates 1)
   * @param timestamp the timestamp column (required: across partitions, row order is no clock)
   * @param minRating keep rows rated at least this; NaN keeps all
   */
  public record Spec(String user, String item, String rating, String timestamp, double minRating) {
    public Spec {
      if (user == null || item == null) {
        throw new IllegalArgumentException("the user and item columns are required");
      }
      if (timestamp == null) {
        throw new IllegalArgumentException(
            "a timestamp column is required: across partitions, row order is no clock");
      }
      if (!Double.isNaN(minRating) && rating == null) {
        throw new IllegalArgumentException("a minimum rating needs a rating column");
      }
    }
  }

  /** Counts of the prepared dataset. */
  public record Report(long users, long items, long interactions) {}

  private static final StructType PARSED =
      new StructType()
          .add("user", DataTypes.StringType, false)
          .add("item", DataTypes.StringType, false)
          .add("rating", DataTypes.FloatType, false)
          .add("ts", DataTypes.LongType, false)
          .add("line", DataTypes.LongType, false)
          .add("error", DataTypes.StringType, true);

  private SparkPrep() {}

  /**
   * Prepares {@code source} (described as {@code name} in messages) into the folder {@code out}
   * (any Hadoop file system), which must not exist or be empty unless {@code overwrite}.
   */
  public static Report prepare(
      SparkSession spark,
      Dataset<Row> source,
      String name,
      Spec spec,
      String out,
      boolean overwrite)
      throws IOException {
    Path target = new Path(out);
    FileSystem fs = target.getFileSystem(spark.sparkContext().hadoopConfiguration());
    if (fs instanceof org.apache.hadoop.fs.ChecksumFileSystem checksummed) {
      // The layout's files only: no .crc files beside them.
      fs = checksummed.getRawFileSystem();
    }
    if (fs.exists(target) && !overwrite && fs.listStatus(target).length > 0) {
      throw new DatasetException(
          out + ": not an empty folder; pass --overwrite to replace it as a whole");
    }
    String[] columns = source.columns();
    Column user = column(source, spec.user(), columns, name, "user");
    Column item = column(source, spec.item(), columns, name, "item");
    Column rating =
        spec.rating() == null
            ? org.apache.spark.sql.functions.lit("1")
            : column(source, spec.rating(), columns, name, "rating");
    Column time = column(source, spec.timestamp(), columns, name, "timestamp");
    String ratingLabel = spec.rating() == null ? "rating" : label(spec.rating(), columns);
    String timeLabel = label(spec.timestamp(), columns);
    double minRating = spec.minRating();
    JavaRDD<Row> parsed =
        source
            .select(user.as("user"), item.as("item"), rating.as("rating"), time.as("ts"))
            .withColumn("line", monotonically_increasing_id())
            .javaRDD()
            .flatMap(
                r -> {
                  Row row = parse(r, name, ratingLabel, timeLabel, minRating);
                  return row == null ? List.<Row>of().iterator() : List.of(row).iterator();
                });
    Dataset<Row> checked =
        spark.createDataFrame(parsed, PARSED).persist(StorageLevel.MEMORY_AND_DISK());
    try {
      // Bad rows travel as rows, so that the first one in source order is reported, once, by
      // the driver (a task that threw would be logged with its stack trace on the executor).
      List<Row> bad =
          checked.where(col("error").isNotNull()).orderBy("line").limit(1).collectAsList();
      if (!bad.isEmpty()) {
        throw new DatasetException(bad.get(0).getString(5));
      }
      Dataset<Row> events = checked.drop("error");
      long n = events.count();
      if (n == 0) {
        throw new DatasetException(
            name + ": no interactions" + (Double.isNaN(minRating) ? "" : " rated >= " + minRating));
      }
      Path building =
          new Path(target.getParent(), "." + target.getName() + ".building-" + UUID.randomUUID());
      fs.mkdirs(building);
      try {
        Path parts = new Path(building, "_parts");
        long users = writeIdMap(spark, events, "user", new Path(parts, "q"));
        long items = writeIdMap(spark, events, "item", new Path(parts, "i"));
        events
            .map(
                (org.apache.spark.api.java.function.MapFunction<Row, String>)
                    r ->
                        Csv.quote(r.getString(0))
                            + ','
                            + Csv.quote(r.getString(1))
                            + ','
                            + Csv.rating(r.getFloat(2))
                            + ','
                            + r.getLong(3),
                Encoders.STRING())
            .write()
            .text(new Path(parts, "x").toString());
        join(
            fs,
            new Path(parts, "q"),
            "raw_id,index\n",
            new Path(building, PreparedDataset.Q_IDMAP));
        join(
            fs,
            new Path(parts, "i"),
            "raw_id,index\n",
            new Path(building, PreparedDataset.I_IDMAP));
        join(
            fs,
            new Path(parts, "x"),
            "user_id,item_id,rating,timestamp\n",
            new Path(building, PreparedDataset.INTERACTIONS));
        fs.delete(parts, true);
        featureless(fs, Math.toIntExact(users), new Path(building, PreparedDataset.Q_FEATS));
        featureless(fs, Math.toIntExact(items), new Path(building, PreparedDataset.I_FEATS));
        replace(fs, building, target);
        return new Report(users, items, n);
      } finally {
        if (fs.exists(building)) {
          fs.delete(building, true);
        }
      }
    } finally {
      checked.unpersist();
    }
  }

  /**
   * One source row as (user, item, rating, ts, line, null), or (…, line, the reason) when it is
   * bad, or null when it is rated below the minimum.
   */
  static Row parse(Row r, String name, String ratingLabel, String timeLabel, double minRating) {
    long line = r.getLong(4);
    String uid = r.isNullAt(0) ? "" : r.getString(0).trim();
    String iid = r.isNullAt(1) ? "" : r.getString(1).trim();
    String where = name + ": " + position(line);
    if (uid.isEmpty() || iid.isEmpty()) {
      return bad(line, where + ": the " + (uid.isEmpty() ? "user" : "item") + " id is empty");
    }
    where += " (user '" + uid + "', item '" + iid + "')";
    String rs = r.isNullAt(2) ? "" : r.getString(2).trim();
    float rating;
    try {
      rating = Float.parseFloat(rs);
    } catch (NumberFormatException e) {
      return bad(
          line, where + ": field '" + ratingLabel + "': expected a number, found '" + rs + "'");
    }
    if (!Float.isFinite(rating)) {
      return bad(
          line,
          where + ": field '" + ratingLabel + "': expected a finite number, found '" + rs + "'");
    }
    if (!Double.isNaN(minRating) && rating < minRating) {
      return null;
    }
    String ts = r.isNullAt(3) ? "" : r.getString(3).trim();
    long t;
    try {
      t = Long.parseLong(ts);
    } catch (NumberFormatException e) {
      return bad(
          line, where + ": field '" + timeLabel + "': expected a whole number, found '" + ts + "'");
    }
    return RowFactory.create(uid, iid, rating, t, line, null);
  }

  private static Row bad(long line, String reason) {
    return RowFactory.create("", "", 0f, 0L, line, reason);
  }

  /**
   * Where a row numbered by {@code monotonically_increasing_id} sat: its partition and its 1-based
   * row there (for one headerless CSV file read whole, partition 0's rows are its lines).
   */
  static String position(long id) {
    return "partition " + (id >>> 33) + ", row " + ((id & ((1L << 33) - 1)) + 1);
  }

  /** A column by name or 0-based position, as a string (a timestamp or date as epoch seconds). */
  private static Column column(
      Dataset<Row> source, String spec, String[] columns, String name, String what)
      throws DatasetException {
    String c = resolve(spec, columns, name, what);
    DataType type = source.schema().apply(c).dataType();
    Column col = col("`" + c.replace("`", "``") + "`");
    if (type.equals(DataTypes.TimestampType) || type.equals(DataTypes.DateType)) {
      col = col.cast(DataTypes.TimestampType).cast(DataTypes.LongType);
    }
    return col.cast(DataTypes.StringType);
  }

  private static String resolve(String spec, String[] columns, String name, String what)
      throws DatasetException {
    if (spec.matches("\\d{1,9}")) {
      int p = Integer.parseInt(spec);
      if (p >= columns.length) {
        throw new DatasetException(
            name
                + ": the "
                + what
                + " column #"
                + p
                + " does not exist ("
                + columns.length
                + " columns)");
      }
      return columns[p];
    }
    if (!Arrays.asList(columns).contains(spec)) {
      throw new DatasetException(
          name
              + ": no column named '"
              + spec
              + "' for the "
              + what
              + " (columns: "
              + String.join(", ", columns)
              + ")");
    }
    return spec;
  }

  private static String label(String spec, String[] columns) {
    return spec.matches("\\d{1,9}") && Integer.parseInt(spec) < columns.length
        ? columns[Integer.parseInt(spec)]
        : spec;
  }

  /**
   * Writes the id map of one column (raw ids by their first row, indexed from 0) as parts in index
   * order; returns how many ids there are.
   */
  private static long writeIdMap(
      SparkSession spark, Dataset<Row> events, String column, Path parts) {
    JavaRDD<String> lines =
        events
            .groupBy(column)
            .agg(min("line").as("first"))
            .orderBy("first")
            .javaRDD()
            .zipWithIndex()
            .map(p -> Csv.quote(p._1().getString(0)) + ',' + p._2());
    lines.cache();
    try {
      spark.createDataset(lines.rdd(), Encoders.STRING()).write().text(parts.toString());
      return lines.count();
    } finally {
      lines.unpersist(false);
    }
  }

  /**
   * Writes {@code header} and then the part files of {@code parts}, in part order, to {@code out}.
   */
  private static void join(FileSystem fs, Path parts, String header, Path out) throws IOException {
    List<FileStatus> files = new ArrayList<>();
    for (FileStatus f : fs.listStatus(parts)) {
      if (f.isFile() && f.getPath().getName().startsWith("part-")) {
        files.add(f);
      }
    }
    files.sort(Comparator.comparing(f -> f.getPath().getName()));
    try (OutputStream o = fs.create(out, false)) {
      o.write(header.getBytes(StandardCharsets.UTF_8));
      byte[] buf = new byte[1 << 16];
      for (FileStatus f : files) {
        try (InputStream in = fs.open(f.getPath())) {
          int r;
          while ((r = in.read(buf)) > 0) {
            o.write(buf, 0, r);
          }
        }
      }
    }
  }

  /** A float32 .npy of shape [rows, 0], as the library writes it. */
  private static void featureless(FileSystem fs, int rows, Path out) throws IOException {
    java.nio.file.Path tmp = Files.createTempFile("sbcnm-feats", ".npy");
    try {
      Npy.write(tmp, Tensor.zeros(rows, 0));
      fs.copyFromLocalFile(false, true, new Path(tmp.toUri()), out);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /** Renames {@code building} to {@code target}, moving an existing target aside until then. */
  private static void replace(FileSystem fs, Path building, Path target) throws IOException {
    Path old = null;
    if (fs.exists(target)) {
      old = new Path(target.getParent(), "." + target.getName() + ".old-" + UUID.randomUUID());
      if (!fs.rename(target, old)) {
        throw new IOException("cannot move " + target + " aside");
      }
    }
    if (!fs.rename(building, target)) {
      if (old != null) {
        fs.rename(old, target);
      }
      throw new IOException("cannot rename " + building + " to " + target);
    }
    if (old != null) {
      fs.delete(old, true);
    }
  }
}
