package org.sbcnm.engine.kernel;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A fixed set of daemon threads that run the chunks of one task at a time, the caller taking part.
 *
 * <p>No allocation per call: the task is a reusable object, and chunk claims go through one atomic
 * word whose high half is the call's generation and low half the next chunk, so a worker that wakes
 * late can never claim a chunk of a later call with the task of an earlier one. A caller that finds
 * the pool busy (another thread's call, or its own outer call, in progress) runs its chunks itself.
 */
final class WorkerPool {
  /**
   * How long a worker keeps polling for the next call after finishing one, and a caller for its
   * last chunk, before parking. A training step issues GEMMs a few hundred microseconds apart;
   * waking a parked thread costs tens of microseconds on a virtual machine, which two-thread GEMMs
   * of ~100 µs cannot pay for.
   */
  private static final long SPIN_NANOS = 1_000_000L;

  /** Chunk half of the state while a call is being set up: past any chunk count. */
  private static final long CLOSED = Integer.MAX_VALUE;

  private final int threads;
  private final Thread[] workers;
  private final ReentrantLock callLock = new ReentrantLock();
  private final AtomicLong state = new AtomicLong();
  private final AtomicInteger pending = new AtomicInteger();
  private volatile Kernels.ChunkBody task;
  private volatile int chunkCount;
  private volatile Thread caller;
  private volatile Throwable failure;
  private volatile boolean shutdown;

  WorkerPool(int threads) {
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be >= 1, got " + threads);
    }
    this.threads = threads;
    this.workers = new Thread[threads - 1];
    for (int i = 0; i < workers.length; i++) {
      Thread t = new Thread(this::workerLoop, "sbcnm-worker-" + (i + 1));
      t.setDaemon(true);
      workers[i] = t;
      t.start();
    }
  }

  int threads() {
    return threads;
  }

  /** Runs {@code task.runChunk(c)} for every c in [0, chunks) and returns when all are done. */
  void run(int chunks, Kernels.ChunkBody t) {
    if (chunks <= 0) {
      return;
    }
    // Nested calls (a chunk that itself runs a parallel kernel) and calls while another thread's
    // call is in progress run inline; the reentrant lock must not let the caller in twice.
    if (chunks == 1
        || workers.length == 0
        || callLock.isHeldByCurrentThread()
        || !callLock.tryLock()) {
      for (int c = 0; c < chunks; c++) {
        t.runChunk(c);
      }
      return;
    }
    try {
      // Close the previous call's claims before publishing this call's task and count: a worker
      // still inside drain() could otherwise pair the old state's next chunk with the new task.
      // The closed state keeps the old generation, so that no worker takes it for this call and
      // then skips the call when it opens.
      long oldGen = state.get() >>> 32;
      state.set((oldGen << 32) | CLOSED);
      long gen = oldGen + 1;
      failure = null;
      task = t;
      chunkCount = chunks;
      caller = Thread.currentThread();
      pending.set(chunks);
      state.set(gen << 32);
      for (Thread w : workers) {
        LockSupport.unpark(w);
      }
      drain();
      long spinUntil = System.nanoTime() + SPIN_NANOS;
      while (pending.get() > 0) {
        if (System.nanoTime() < spinUntil) {
          Thread.onSpinWait();
        } else {
          LockSupport.parkNanos(this, 20_000L);
        }
      }
      task = null;
      Throwable f = failure;
      if (f != null) {
        failure = null;
        if (f instanceof RuntimeException) {
          throw (RuntimeException) f;
        }
        if (f instanceof Error) {
          throw (Error) f;
        }
        throw new IllegalStateException(f);
      }
    } finally {
      callLock.unlock();
    }
  }

  /** Claims and runs chunks of the current generation until none is left. */
  private void drain() {
    while (true) {
      long s = state.get();
      Kernels.ChunkBody t = task;
      int count = chunkCount;
      int chunk = (int) s;
      if (t == null || chunk >= count) {
        return;
      }
      if (!state.compareAndSet(s, s + 1)) {
        continue;
      }
      try {
        t.runChunk(chunk);
      } catch (Throwable e) {
        if (failure == null) {
          failure = e;
        }
      } finally {
        if (pending.decrementAndGet() == 0) {
          LockSupport.unpark(caller);
        }
      }
    }
  }

  private void workerLoop() {
    long seen = 0;
    long spinUntil = 0;
    while (!shutdown) {
      long gen = state.get() >>> 32;
      if (gen == seen) {
        if (System.nanoTime() < spinUntil) {
          Thread.onSpinWait();
        } else {
          LockSupport.park(this);
        }
        continue;
      }
      seen = gen;
      drain();
      spinUntil = System.nanoTime() + SPIN_NANOS;
    }
  }

  void shutdown() {
    shutdown = true;
    for (Thread w : workers) {
      LockSupport.unpark(w);
    }
  }
}
