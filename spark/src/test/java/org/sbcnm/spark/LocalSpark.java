package org.sbcnm.spark;

import org.apache.spark.sql.SparkSession;

/** One local[2] session for every test class of the JVM (a session takes seconds to start). */
final class LocalSpark {
  private static SparkSession session;

  private LocalSpark() {}

  static synchronized SparkSession get() {
    if (session == null) {
      session =
          SparkSession.builder()
              .master("local[2]")
              .appName("sbcnm-tests")
              .config("spark.ui.enabled", false)
              .config("spark.sql.shuffle.partitions", 3)
              // Small file splits: one input file reaches the jobs as several partitions, so
              // the tests see that row order survives them.
              .config("spark.sql.files.maxPartitionBytes", 2048)
              .config("spark.sql.files.openCostInBytes", 0)
              .config("spark.driver.host", "127.0.0.1")
              .getOrCreate();
      session.sparkContext().setLogLevel("WARN");
    }
    return session;
  }
}
