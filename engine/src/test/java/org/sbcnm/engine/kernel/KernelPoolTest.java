package org.sbcnm.engine.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** A pool passed in: bound per thread, restored on close, its own threads for nested calls. */
class KernelPoolTest {
  /** True when {@code chunks} chunks each waiting for all the others to start all finished. */
  private static boolean ranOnThreads(int chunks) {
    AtomicInteger started = new AtomicInteger();
    boolean[] alone = new boolean[chunks];
    Kernels.parallelFor(
        chunks,
        chunk -> {
          started.incrementAndGet();
          long deadline = System.nanoTime() + 2_000_000_000L;
          while (started.get() < chunks && System.nanoTime() < deadline) {
            Thread.onSpinWait();
          }
          alone[chunk] = started.get() < chunks;
        });
    for (boolean a : alone) {
      if (a) {
        return false;
      }
    }
    return true;
  }

  @Test
  void aBoundPoolDecidesTheThreadsAndClosingRestoresThePrevious() {
    int before = Kernels.threads();
    try (KernelPool three = new KernelPool(3);
        KernelPool one = new KernelPool(1)) {
      try (KernelPool.Binding b = three.bind()) {
        assertEquals(3, Kernels.threads());
        assertEquals(true, ranOnThreads(3), "three chunks waiting for each other need 3 threads");
        try (KernelPool.Binding inner = one.bind()) {
          assertEquals(1, Kernels.threads());
        }
        assertEquals(3, Kernels.threads());
      }
      assertEquals(before, Kernels.threads());
    }
  }

  @Test
  void aChunkOnAPoolThreadNestsInThatPool() {
    // The default pool has one thread; a chunk that runs on one of the bound pool's threads and
    // asks how many threads its kernels get must hear the bound pool's count, not the default's.
    int before = Kernels.threads();
    Kernels.setThreads(1);
    try (KernelPool pool = new KernelPool(2);
        KernelPool.Binding b = pool.bind()) {
      int[] seen = new int[2];
      AtomicInteger started = new AtomicInteger();
      Kernels.parallelFor(
          2,
          chunk -> {
            started.incrementAndGet();
            long deadline = System.nanoTime() + 2_000_000_000L;
            while (started.get() < 2 && System.nanoTime() < deadline) {
              Thread.onSpinWait();
            }
            seen[chunk] = Kernels.threads();
          });
      assertEquals(2, seen[0]);
      assertEquals(2, seen[1]);
    } finally {
      Kernels.setThreads(before);
    }
  }

  @Test
  void twoThreadsWithTheirOwnPoolsDoNotSeeEachOthers() throws Exception {
    CyclicBarrier bothBound = new CyclicBarrier(2);
    AtomicReference<Throwable> failure = new AtomicReference<>();
    int[] seen = new int[2];
    Thread[] threads = new Thread[2];
    for (int k = 0; k < 2; k++) {
      int index = k;
      threads[k] =
          new Thread(
              () -> {
                try (KernelPool pool = new KernelPool(index + 1);
                    KernelPool.Binding b = pool.bind()) {
                  bothBound.await();
                  seen[index] = Kernels.threads();
                  if (index == 1 && !ranOnThreads(2)) {
                    throw new AssertionError("the two-thread pool ran its call on one thread");
                  }
                } catch (Throwable e) {
                  failure.set(e);
                }
              });
      threads[k].start();
    }
    for (Thread t : threads) {
      t.join();
    }
    if (failure.get() != null) {
      throw new AssertionError(failure.get());
    }
    assertEquals(1, seen[0]);
    assertEquals(2, seen[1]);
  }

  @Test
  void aClosedPoolIsNotBoundAndBadSizesAreRefused() {
    KernelPool pool = new KernelPool(2);
    pool.close();
    assertThrows(IllegalStateException.class, pool::bind);
    assertThrows(IllegalArgumentException.class, () -> new KernelPool(0));
    assertThrows(IllegalArgumentException.class, () -> new KernelPool(1025));
  }

  @Test
  void aBindingClosedTwiceRestoresOnce() throws Exception {
    int before = Kernels.threads();
    try (KernelPool a = new KernelPool(2);
        KernelPool b = new KernelPool(3)) {
      KernelPool.Binding outer = a.bind();
      KernelPool.Binding inner = b.bind();
      inner.close();
      inner.close();
      assertEquals(2, Kernels.threads());
      outer.close();
      assertEquals(before, Kernels.threads());
      KernelPool.Binding mine = a.bind();
      AtomicReference<Throwable> other = new AtomicReference<>();
      Thread t =
          new Thread(() -> other.set(assertThrows(IllegalStateException.class, mine::close)));
      t.start();
      t.join();
      assertFalse(other.get() == null);
      mine.close();
      assertEquals(before, Kernels.threads());
    }
  }
}
