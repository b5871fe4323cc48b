/**
 * sbcnm on Apache Spark: preparation of interaction logs into the prepared layout ({@link
 * org.sbcnm.spark.SparkPrep}), batch inference with the held-out evaluation in the same pass
 * ({@link org.sbcnm.spark.BatchRetrieval}), and the spark-submit entry point ({@link
 * org.sbcnm.spark.SparkJobs}). {@link org.sbcnm.spark.Sbcnm} is the entry point for calls from a
 * user's own Spark code. Spark is {@code provided}: nothing else in sbcnm depends on this module.
 */
package org.sbcnm.spark;
