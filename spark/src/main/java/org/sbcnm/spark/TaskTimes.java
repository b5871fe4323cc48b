package org.sbcnm.spark;

import java.util.concurrent.atomic.AtomicLong;
import org.apache.spark.executor.TaskMetrics;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;

/**
 * Task time and shuffle cost of the jobs that run while it listens, summed over every task: how a
 * run's time splits beyond what its own code measures.
 */
final class TaskTimes extends SparkListener {
  final AtomicLong runNanos = new AtomicLong();
  final AtomicLong shuffleWriteNanos = new AtomicLong();
  final AtomicLong shuffleFetchWaitNanos = new AtomicLong();
  final AtomicLong shuffleBytes = new AtomicLong();
  final AtomicLong outputBytes = new AtomicLong();
  private final java.util.concurrent.ConcurrentHashMap<Integer, AtomicLong> runByStage =
      new java.util.concurrent.ConcurrentHashMap<>();

  /** Task run time of the latest stage that ran (a job's result stage runs last). */
  long lastStageRunNanos() {
    return runByStage.keySet().stream()
        .max(Integer::compare)
        .map(s -> runByStage.get(s).get())
        .orElse(0L);
  }

  @Override
  public void onTaskEnd(SparkListenerTaskEnd end) {
    TaskMetrics m = end.taskMetrics();
    if (m == null) {
      return;
    }
    runNanos.addAndGet(m.executorRunTime() * 1_000_000L);
    runByStage
        .computeIfAbsent(end.stageId(), s -> new AtomicLong())
        .addAndGet(m.executorRunTime() * 1_000_000L);
    shuffleWriteNanos.addAndGet(m.shuffleWriteMetrics().writeTime());
    shuffleFetchWaitNanos.addAndGet(m.shuffleReadMetrics().fetchWaitTime() * 1_000_000L);
    shuffleBytes.addAndGet(m.shuffleWriteMetrics().bytesWritten());
    outputBytes.addAndGet(m.outputMetrics().bytesWritten());
  }
}
