package org.sbcnm.engine.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
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
}
