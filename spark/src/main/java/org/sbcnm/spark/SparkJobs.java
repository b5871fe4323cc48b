package org.sbcnm.spark;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.spark.sql.DataFrameReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.sbcnm.engine.io.FormatException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * The spark-submit entry point: {@code spark-submit --class org.sbcnm.spark.SparkJobs
 * sbcnm-spark.jar prep|recommend ...}. Without a master from spark-submit it runs on {@code
 * local[*]}. Bad input exits 2 with the reason and no stack trace.
 */
@Command(
    name = "sbcnm-spark",
    mixinStandardHelpOptions = true,
    subcommands = {SparkJobs.Prep.class, SparkJobs.Recommend.class},
    description = "sbcnm's jobs on Apache Spark: preparation, batch inference and evaluation.")
public final class SparkJobs implements Callable<Integer> {
  @Spec CommandLine.Model.CommandSpec spec;

  /** The session of a run, or null to build one (tests pass theirs). */
  private final SparkSession given;

  SparkJobs(SparkSession given) {
    this.given = given;
  }

  public static void main(String[] args) {
    System.exit(
        run(null, new PrintWriter(System.out, true), new PrintWriter(System.err, true), args));
  }

  /**
   * Runs one command on {@code spark} (null: from spark-submit's settings); returns the exit code.
   */
  static int run(SparkSession spark, PrintWriter out, PrintWriter err, String... args) {
    CommandLine cl = new CommandLine(new SparkJobs(spark));
    cl.setOut(out);
    cl.setErr(err);
    cl.setExecutionExceptionHandler(
        (e, line, parsed) -> {
          Throwable bad = badInput(e);
          if (bad != null) {
            line.getErr().println("error: " + bad.getMessage());
            return 2;
          }
          throw e;
        });
    return cl.execute(args);
  }

  /** The bad-input cause of a failure (a task's failure arrives wrapped), or null. */
  static Throwable badInput(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof org.sbcnm.datasets.prepared.DatasetException
          || t instanceof FormatException
          || t instanceof IllegalArgumentException
          || t instanceof java.nio.file.NoSuchFileException
          || t instanceof org.apache.spark.sql.AnalysisException) {
        return t;
      }
    }
    return null;
  }

  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getOut());
    return 2;
  }

  SparkSession session(String job) {
    if (given != null) {
      return given;
    }
    SparkSession.Builder b = SparkSession.builder().appName("sbcnm " + job);
    if (!new org.apache.spark.SparkConf().contains("spark.master")) {
      b = b.master("local[*]");
    }
    return b.getOrCreate();
  }

  @Command(
      name = "prep",
      mixinStandardHelpOptions = true,
      description =
          "Interactions from any Spark source (csv, parquet, ...) into the prepared layout, as `prep csv` writes it.")
  static final class Prep implements Callable<Integer> {
    @ParentCommand SparkJobs parent;

    @Spec CommandLine.Model.CommandSpec spec;

    @Option(
        names = "--input",
        required = true,
        description = "The interactions (a file or folder).")
    String input;

    @Option(
        names = "--format",
        defaultValue = "csv",
        description = "Spark source: csv, parquet, json, orc, ...")
    String format;

    @Option(
        names = "--delimiter",
        defaultValue = ",",
        description = "CSV: one character; 'tab' for a tab.")
    String delimiter;

    @Option(
        names = "--no_header",
        description = "CSV: no header line; columns are 0-based positions.")
    boolean noHeader;

    @Option(
        names = "--user_col",
        defaultValue = "user_id",
        description = "Column name or 0-based position.")
    String user;

    @Option(
        names = "--item_col",
        defaultValue = "item_id",
        description = "Column name or 0-based position.")
    String item;

    @Option(
        names = "--rating_col",
        description = "Optional rating column (else every row rates 1).")
    String rating;

    @Option(
        names = "--time_col",
        required = true,
        description = "Timestamp column (whole numbers, or a timestamp type).")
    String time;

    @Option(names = "--min_rating", description = "Keep only rows rated at least this.")
    Double minRating;

    @Option(names = "--out", required = true, description = "The prepared folder (new or empty).")
    String out;

    @Option(names = "--overwrite", description = "Replace --out as a whole if it holds files.")
    boolean overwrite;

    @Override
    public Integer call() throws IOException {
      String d = delimiter.equals("tab") || delimiter.equals("\\t") ? "\t" : delimiter;
      if (d.length() != 1) {
        throw new IllegalArgumentException(
            "--delimiter must be one character (or 'tab'), got '" + delimiter + "'");
      }
      if (sameOrInside(out, input)) {
        throw new IllegalArgumentException("--out " + out + " would overwrite the input " + input);
      }
      SparkSession spark = parent.session("prep");
      DataFrameReader reader = spark.read().format(format);
      if (format.equals("csv")) {
        reader =
            reader
                .option("sep", d)
                .option("header", !noHeader)
                .option("escape", "\"")
                .option("inferSchema", false);
      }
      Dataset<Row> source = reader.load(input);
      SparkPrep.Report r =
          SparkPrep.prepare(
              spark,
              source,
              input,
              new SparkPrep.Spec(
                  user, item, rating, time, minRating == null ? Double.NaN : minRating),
              out,
              overwrite);
      spec.commandLine()
          .getOut()
          .printf(
              "prepared %s: %d users, %d items, %d interactions%n",
              out, r.users(), r.items(), r.interactions());
      return 0;
    }
  }

  @Command(
      name = "recommend",
      mixinStandardHelpOptions = true,
      description =
          "Every user's top K over the full catalogue (training items left out) as Parquet, and Recall/NDCG@K of the held-out items from the same pass.")
  static final class Recommend implements Callable<Integer> {
    @ParentCommand SparkJobs parent;

    @Spec CommandLine.Model.CommandSpec spec;

    @Option(
        names = "--data",
        required = true,
        description = "The prepared folder (readable from every executor).")
    String data;

    @Option(
        names = {"--ckpt", "--ckpt_path"},
        required = true,
        description = "Checkpoint ({} in the name: the highest-numbered).")
    String ckpt;

    @Option(names = "--k", defaultValue = "100", description = "Recommendations per user.")
    int k;

    @Option(
        names = "--eval_k",
        defaultValue = "10,50,100",
        split = ",",
        description = "Cut-offs of Recall@K and NDCG@K.")
    int[] evalKs;

    @Option(
        names = "--item_blocks",
        defaultValue = "0",
        description =
            "1: broadcast the item embeddings; B > 1: cut the catalogue into B blocks and merge partial top lists; 0: broadcast while they take at most an eighth of an executor's memory, else enough blocks.")
    int itemBlocks;

    @Option(
        names = "--partitions",
        defaultValue = "0",
        description = "Partitions of users (0: Spark's default parallelism).")
    int partitions;

    @Option(names = "--out", required = true, description = "Parquet output folder.")
    String out;

    @Option(names = "--overwrite", description = "Replace --out if it exists.")
    boolean overwrite;

    @Option(
        names = "--profile",
        description =
            "Also time the scoring alone (one more GEMM pass), to split search time into scoring and top K.")
    boolean profile;

    @Option(
        names = "--metrics_json",
        description = "Also write the metrics and timings as JSON (a local file).")
    Path metricsJson;

    @Override
    public Integer call() throws IOException {
      if (sameOrInside(out, data)) {
        throw new IllegalArgumentException("--out " + out + " would overwrite the dataset " + data);
      }
      SparkSession spark = parent.session("recommend");
      BatchRetrieval.Result r =
          BatchRetrieval.run(
              spark,
              new BatchRetrieval.Spec(
                  data, ckpt, k, evalKs, itemBlocks, partitions, out, overwrite, profile));
      PrintWriter o = spec.commandLine().getOut();
      o.printf(
          "wrote %s: %d users, %d with a held-out item, %s%n",
          out,
          r.users(),
          r.testUsers(),
          r.itemBlocks() == 1
              ? "catalogue broadcast"
              : "catalogue in " + r.itemBlocks() + " blocks");
      for (Map.Entry<String, Double> m : r.metrics().entrySet()) {
        o.printf(Locale.ROOT, "%-10s %.4f%n", m.getKey(), m.getValue());
      }
      for (Map.Entry<String, Double> s : r.seconds().entrySet()) {
        o.printf(Locale.ROOT, "seconds %-22s %.2f%n", s.getKey(), s.getValue());
      }
      if (metricsJson != null) {
        Map<String, Object> json = new LinkedHashMap<>(r.metrics());
        json.put("users", r.users());
        json.put("test_users", r.testUsers());
        json.put("item_blocks", r.itemBlocks());
        json.put("seconds", r.seconds());
        Path tmp = metricsJson.resolveSibling(metricsJson.getFileName() + ".tmp");
        Files.writeString(
            tmp,
            new com.fasterxml.jackson.databind.ObjectMapper()
                .writerWithDefaultPrettyPrinter()
                .writeValueAsString(json),
            StandardCharsets.UTF_8);
        Files.move(tmp, metricsJson, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      }
      return 0;
    }
  }

  /** Whether path {@code a} is {@code b} or lies inside it (both local or both on one URI). */
  static boolean sameOrInside(String a, String b) {
    String x = absolute(a);
    String y = absolute(b);
    return x.equals(y) || x.startsWith(y + "/") || y.startsWith(x + "/");
  }

  private static String absolute(String p) {
    java.net.URI u = new org.apache.hadoop.fs.Path(p).toUri();
    if (u.getScheme() == null || u.getScheme().equals("file")) {
      return Path.of(u.getPath()).toAbsolutePath().normalize().toString();
    }
    return u.normalize().toString().replaceAll("/+$", "");
  }
}
