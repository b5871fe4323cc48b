package org.sbcnm.engine.kernel;

import java.util.concurrent.atomic.AtomicBoolean;
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
 *
 * <p>A nested call may instead be shared ({@link #runShared}; one published call per pool thread at
 * a time): its caller publishes it and claims its chunks, and any pool thread that has run out of
 * chunks of the outer call claims them too while it waits for the outer call to end. This is for
 * the two towers of a training step, one per thread: the thread whose tower finishes first helps
 * with the other tower's GEMMs instead of idling.
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

  /** Slots for shared nested calls, one per pool thread: each thread can publish its own. */
  private final SharedCall[] shared;

  private final AtomicLong sharedChunksHelped = new AtomicLong();

  /** One published nested call: its own generation and chunk word, task and count (see drain). */
  private static final class SharedCall {
    final AtomicBoolean taken = new AtomicBoolean();
    final AtomicLong state = new AtomicLong();
    final AtomicInteger pending = new AtomicInteger();
    volatile Kernels.ChunkBody task;
    volatile int chunkCount;
    volatile Throwable failure;
  }

  WorkerPool(int threads) {
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be >= 1, got " + threads);
    }
    this.threads = threads;
    this.shared = new SharedCall[threads];
    for (int i = 0; i < threads; i++) {
      shared[i] = new SharedCall();
    }
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

  /** True while some thread's call is in progress: a call made now runs nested or inline. */
  boolean busy() {
    return callLock.isLocked();
  }

  /** Runs {@code task.runChunk(c)} for every c in [0, chunks) and returns when all are done. */
  void run(int chunks, Kernels.ChunkBody t) {
    if (chunks <= 0) {
      return;
    }
    if (chunks == 1 || workers.length == 0) {
      for (int c = 0; c < chunks; c++) {
        t.runChunk(c);
      }
      return;
    }
    // Nested calls (a chunk that itself runs a parallel kernel) and calls while another thread's
    // call is in progress are shared with whichever pool threads run out of work; the reentrant
    // lock must not let the caller in twice.
    if (callLock.isHeldByCurrentThread() || !callLock.tryLock()) {
      runShared(chunks, t);
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
        if (helpShared(-1)) {
          spinUntil = System.nanoTime() + SPIN_NANOS;
        } else if (System.nanoTime() < spinUntil) {
          Thread.onSpinWait();
        } else {
          LockSupport.parkNanos(this, 20_000L);
        }
      }
      task = null;
      Throwable f = failure;
      if (f != null) {
        failure = null;
        rethrow(f);
      }
    } finally {
      callLock.unlock();
    }
  }

  /**
   * Runs {@code task.runChunk(c)} for every c in [0, chunks) on the calling thread, and lets pool
   * threads that wait for the end of a call in progress take chunks too; returns when all are done.
   * Each pool thread can have one shared call published at a time (so both towers' GEMMs are open
   * to help); when every slot is taken, this one runs inline. Chunks may run on any thread in any
   * order, so each must write its own part of the result.
   */
  void runShared(int chunks, Kernels.ChunkBody t) {
    if (chunks <= 0) {
      return;
    }
    SharedCall call = chunks == 1 || workers.length == 0 ? null : takeSlot();
    if (call == null) {
      for (int c = 0; c < chunks; c++) {
        t.runChunk(c);
      }
      return;
    }
    try {
      // The same close-then-open protocol as run(), on the shared call's own state.
      long oldGen = call.state.get() >>> 32;
      call.state.set((oldGen << 32) | CLOSED);
      call.failure = null;
      call.task = t;
      call.chunkCount = chunks;
      call.pending.set(chunks);
      call.state.set((oldGen + 1) << 32);
      claim(call, false, -1);
      // Only chunks a helper claimed are left: each is already running, so spin.
      while (call.pending.get() > 0) {
        Thread.onSpinWait();
      }
      call.task = null;
      Throwable f = call.failure;
      if (f != null) {
        call.failure = null;
        rethrow(f);
      }
    } finally {
      call.taken.set(false);
    }
  }

  private SharedCall takeSlot() {
    for (SharedCall call : shared) {
      if (call.taken.compareAndSet(false, true)) {
        return call;
      }
    }
    return null;
  }

  /** Shared calls published right now. */
  int publishedSharedCalls() {
    int n = 0;
    for (SharedCall call : shared) {
      n += call.taken.get() ? 1 : 0;
    }
    return n;
  }

  /** Chunks of shared calls that a thread other than their caller ran, since the pool started. */
  long sharedChunksHelped() {
    return sharedChunksHelped.get();
  }

  /**
   * Runs chunks of published shared calls, if any; true when it ran at least one. A worker passes
   * the generation of the last outer call it took part in, and stops helping as soon as a newer one
   * is open: its own chunks of that call come first (a nested call is only published inside an open
   * outer call, so a worker that sees one also sees its call's generation).
   */
  private boolean helpShared(long outerGen) {
    boolean ran = false;
    for (SharedCall call : shared) {
      ran |= claim(call, true, outerGen);
    }
    return ran;
  }

  private boolean claim(SharedCall call, boolean helping, long outerGen) {
    boolean ran = false;
    while (true) {
      long s = call.state.get();
      Kernels.ChunkBody t = call.task;
      int count = call.chunkCount;
      int chunk = (int) s;
      if (t == null || chunk >= count) {
        return ran;
      }
      if (outerGen >= 0 && state.get() >>> 32 != outerGen) {
        return ran;
      }
      if (!call.state.compareAndSet(s, s + 1)) {
        continue;
      }
      ran = true;
      try {
        t.runChunk(chunk);
      } catch (Throwable e) {
        if (call.failure == null) {
          call.failure = e;
        }
      } finally {
        if (helping) {
          sharedChunksHelped.incrementAndGet();
        }
        call.pending.decrementAndGet();
      }
    }
  }

  private static void rethrow(Throwable f) {
    if (f instanceof RuntimeException) {
      throw (RuntimeException) f;
    }
    if (f instanceof Error) {
      throw (Error) f;
    }
    throw new IllegalStateException(f);
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
        if (helpShared(seen)) {
          spinUntil = System.nanoTime() + SPIN_NANOS;
        } else if (System.nanoTime() < spinUntil) {
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
