package org.sbcnm.engine.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/** The pool's contract: every chunk of a call runs exactly once, and run returns after all. */
class WorkerPoolTest {
  /** Counts the runs of each chunk of one call. */
  private static final class Counting implements Kernels.ChunkBody {
    final AtomicIntegerArray runs = new AtomicIntegerArray(64);

    @Override
    public void runChunk(int chunk) {
      runs.incrementAndGet(chunk);
    }
  }

  @Test
  void everyChunkRunsOnceAcrossCallsOfChangingSize() {
    // Back-to-back calls whose chunk counts go up and down: a worker that finishes one call late
    // must never run a chunk of the next one under the old call's claim.
    WorkerPool pool = new WorkerPool(3);
    try {
      Counting[] bodies = {new Counting(), new Counting()};
      int[] sizes = {2, 16, 3, 40, 1, 8, 64, 5};
      for (int call = 0; call < 20_000; call++) {
        Counting body = bodies[call % 2];
        int chunks = sizes[call % sizes.length];
        for (int c = 0; c < 64; c++) {
          body.runs.set(c, 0);
        }
        pool.run(chunks, body);
        for (int c = 0; c < 64; c++) {
          assertEquals(c < chunks ? 1 : 0, body.runs.get(c), "call " + call + " chunk " + c);
        }
      }
    } finally {
      pool.shutdown();
    }
  }

  @Test
  void theWorkerTakesPartInEveryCall() {
    // Two chunks that each wait for the other to start: only two threads can finish them, so a
    // worker that skipped a call shows up as a chunk waiting in vain.
    WorkerPool pool = new WorkerPool(2);
    try {
      for (int call = 0; call < 3_000; call++) {
        AtomicInteger started = new AtomicInteger();
        boolean[] alone = new boolean[2];
        pool.run(
            2,
            chunk -> {
              started.incrementAndGet();
              long deadline = System.nanoTime() + 2_000_000_000L;
              while (started.get() < 2 && System.nanoTime() < deadline) {
                Thread.onSpinWait();
              }
              alone[chunk] = started.get() < 2;
            });
        assertFalse(alone[0] || alone[1], "call " + call + " ran on one thread only");
      }
    } finally {
      pool.shutdown();
    }
  }

  @Test
  void aFailingChunkIsRethrownToTheCaller() {
    WorkerPool pool = new WorkerPool(2);
    try {
      IllegalStateException boom = new IllegalStateException("boom");
      Kernels.ChunkBody failing =
          chunk -> {
            if (chunk == 3) {
              throw boom;
            }
          };
      assertSame(boom, assertThrows(IllegalStateException.class, () -> pool.run(8, failing)));
      Counting after = new Counting();
      pool.run(4, after);
      assertEquals(1, after.runs.get(3));
    } finally {
      pool.shutdown();
    }
  }

  @Test
  void aNestedCallIsSharedWithTheThreadThatRanOutOfWork() {
    // The outer call's chunk 1 returns at once; chunk 0 makes a nested call whose chunks each
    // wait for a second thread to run one of them. Only the idle thread helping can finish it.
    // Every fifth call opens its nested call only after the idle thread has stopped spinning and
    // parked: publishing must wake it.
    WorkerPool pool = new WorkerPool(2);
    try {
      for (int call = 0; call < 500; call++) {
        Counting nested = new Counting();
        AtomicInteger started = new AtomicInteger();
        boolean[] alone = new boolean[1];
        boolean late = call % 5 == 0;
        pool.run(
            2,
            outer -> {
              if (outer == 1) {
                return;
              }
              if (late) {
                LockSupport.parkNanos(5_000_000L);
              }
              Thread owner = Thread.currentThread();
              pool.run(
                  6,
                  chunk -> {
                    nested.runChunk(chunk);
                    if (Thread.currentThread() != owner) {
                      started.incrementAndGet();
                    }
                    long deadline = System.nanoTime() + 2_000_000_000L;
                    while (started.get() == 0 && System.nanoTime() < deadline) {
                      Thread.onSpinWait();
                    }
                    alone[0] |= started.get() == 0;
                  });
            });
        assertFalse(alone[0], "call " + call + ": no thread helped with the nested call");
        for (int c = 0; c < 64; c++) {
          assertEquals(c < 6 ? 1 : 0, nested.runs.get(c), "call " + call + " chunk " + c);
        }
      }
      assertTrue(pool.sharedChunksHelped() >= 500);
    } finally {
      pool.shutdown();
    }
  }

  @Test
  void nestedCallsOfBothOuterChunksRunEveryChunkOnce() {
    // Both outer chunks make nested calls at once, each published in its own slot, and any of
    // them may be helped by the thread that finishes first.
    WorkerPool pool = new WorkerPool(2);
    try {
      Counting[][] nested = new Counting[2][40];
      for (int call = 0; call < 2_000; call++) {
        for (Counting[] side : nested) {
          for (int j = 0; j < side.length; j++) {
            side[j] = new Counting();
          }
        }
        int sizes = 1 + call % 7;
        pool.run(
            2,
            outer -> {
              for (int j = 0; j < nested[outer].length; j++) {
                pool.run(sizes + j % 3, nested[outer][j]);
              }
            });
        for (Counting[] side : nested) {
          for (int j = 0; j < side.length; j++) {
            for (int c = 0; c < 64; c++) {
              assertEquals(c < sizes + j % 3 ? 1 : 0, side[j].runs.get(c), "call " + call);
            }
          }
        }
      }
    } finally {
      pool.shutdown();
    }
  }

  @Test
  void bothThreadsPublishTheirNestedCallsAtOnce() {
    // Each outer chunk's nested call waits until both nested calls have been seen published at
    // once: with a single slot the second would run inline, and they would wait in vain.
    WorkerPool pool = new WorkerPool(2);
    try {
      for (int call = 0; call < 200; call++) {
        AtomicBoolean both = new AtomicBoolean();
        pool.run(
            2,
            outer ->
                pool.run(
                    3,
                    chunk -> {
                      long deadline = System.nanoTime() + 2_000_000_000L;
                      while (!both.get() && System.nanoTime() < deadline) {
                        if (pool.publishedSharedCalls() == 2) {
                          both.set(true);
                        }
                        Thread.onSpinWait();
                      }
                    }));
        assertTrue(both.get(), "call " + call + ": the two nested calls were never both published");
      }
    } finally {
      pool.shutdown();
    }
  }

  @Test
  void aFailingHelpedChunkIsRethrownToTheNestedCaller() {
    WorkerPool pool = new WorkerPool(2);
    try {
      IllegalStateException boom = new IllegalStateException("boom");
      IllegalStateException[] seen = new IllegalStateException[1];
      pool.run(
          2,
          outer -> {
            if (outer == 0) {
              seen[0] =
                  assertThrows(
                      IllegalStateException.class,
                      () ->
                          pool.runShared(
                              8,
                              chunk -> {
                                if (chunk == 5) {
                                  throw boom;
                                }
                              }));
            }
          });
      assertSame(boom, seen[0]);
      Counting after = new Counting();
      pool.run(2, outer -> pool.runShared(4, after));
      assertEquals(2, after.runs.get(3));
    } finally {
      pool.shutdown();
    }
  }
}
