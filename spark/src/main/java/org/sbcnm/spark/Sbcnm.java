package org.sbcnm.spark;

import java.io.IOException;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * sbcnm's jobs on a user's own {@link SparkSession}:
 *
 * <pre>{@code
 * Sbcnm sbcnm = Sbcnm.on(spark);
 * sbcnm.prepare(spark.read().parquet("s3://logs/clicks"),
 *     new SparkPrep.Spec("user", "item", null, "ts", Double.NaN), "/shared/clicks-prepared");
 * BatchRetrieval.Result r = sbcnm.recommend(new BatchRetrieval.Spec("/shared/clicks-prepared",
 *     "/shared/model.sbcnm", 100, new int[] {10, 50, 100}, 1, 0, "s3://out/top100", false,
 *     false));
 * }</pre>
 *
 * Executors need the Vector API module for full speed ({@code
 * spark.executor.extraJavaOptions=--add-modules=jdk.incubator.vector}; without it the library's
 * scalar kernels run: slower, and scores may differ from a Vector API run in their last bits). Each
 * task runs the library's kernels on one thread (Spark's task slots are the parallelism); in {@code
 * local} mode the executors are the driver's JVM, which keeps that setting afterwards ({@code
 * Kernels.setThreads} changes it back).
 */
public final class Sbcnm {
  private final SparkSession spark;

  private Sbcnm(SparkSession spark) {
    this.spark = spark;
  }

  public static Sbcnm on(SparkSession spark) {
    return new Sbcnm(spark);
  }

  /** {@link SparkPrep#prepare}: the prepared layout in a new or empty folder {@code out}. */
  public SparkPrep.Report prepare(Dataset<Row> interactions, SparkPrep.Spec spec, String out)
      throws IOException {
    return SparkPrep.prepare(spark, interactions, "interactions", spec, out, false);
  }

  /** {@link BatchRetrieval#run}: every user's top K as Parquet, and Recall/NDCG@K. */
  public BatchRetrieval.Result recommend(BatchRetrieval.Spec spec) throws IOException {
    return BatchRetrieval.run(spark, spec);
  }
}
