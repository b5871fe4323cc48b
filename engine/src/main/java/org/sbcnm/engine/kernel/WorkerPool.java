package org.sbcnm.engine.kernel;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
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
  private volatile boolean shutdown;

  /** The outer call: at most one at a time, under {@link #callLock}. */
  private final Call outer = new Call();

  /** Slots for shared nested calls, one per pool thread: each thread can publish its own. */
  private final Call[] shared;

  private final AtomicLong sharedChunksHelped = new AtomicLong();

  /**
   * 1 while worker i is parked or about to park: opening a call wakes it, so a worker that stopped
   * spinning before a call opened still takes part (or, for a shared call, helps with it).
   */
  private final AtomicIntegerArray parked;

  /**
   * One published call: its generation and next chunk in one word, its task, count and first
   * failure. The outer call and every shared call keep the same protocol.
   */
  private static final class Call {
    /** Held by the thread whose shared call this slot publishes (unused for the outer call). */
    final AtomicBoolean taken = new AtomicBoolean();

    final AtomicLong state = new AtomicLong();
    final AtomicInteger pending = new AtomicInteger();
    volatile Kernels.ChunkBody task;
    volatile int chunkCount;
    volatile Throwable failure;

    /** The thread to wake when the last chunk ends, or null when it spins for them. */
    volatile Thread caller;

    /**
     * Publishes a call. The previous call's claims are closed first: a thread still claiming could
     * otherwise pair the old state's next chunk with the new task. The closed state keeps the old
     * generation, so that no thread takes it for this call and then skips the call when it opens.
     */
    void open(Kernels.ChunkBody t, int chunks, Thread wake) {
      long oldGen = state.get() >>> 32;
      state.set((oldGen << 32) | CLOSED);
      failure = null;
      task = t;
      chunkCount = chunks;
      caller = wake;
      pending.set(chunks);
      state.set((oldGen + 1) << 32);
    }

    /** Ends a call whose chunks have all run: rethrows the first failure of a chunk, if any. */
    void close() {
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
    }
  }

  WorkerPool(int threads) {
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be >= 1, got " + threads);
    }
    this.threads = threads;
    this.shared = new Call[threads];
    for (int i = 0; i < threads; i++) {
      shared[i] = new Call();
    }
    this.workers = new Thread[threads - 1];
    this.parked = new AtomicIntegerArray(workers.length);
    for (int i = 0; i < workers.length; i++) {
      int index = i;
      Thread t = new Thread(() -> workerLoop(index), "sbcnm-worker-" + (i + 1));
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
      outer.open(t, chunks, Thread.currentThread());
      wakeParkedWorkers();
      claim(outer, false, -1);
      long spinUntil = System.nanoTime() + SPIN_NANOS;
      while (outer.pending.get() > 0) {
        if (helpShared(-1)) {
          spinUntil = System.nanoTime() + SPIN_NANOS;
        } else if (System.nanoTime() < spinUntil) {
          Thread.onSpinWait();
        } else {
          LockSupport.parkNanos(this, 20_000L);
        }
      }
      outer.close();
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
    Call call = chunks == 1 || workers.length == 0 ? null : takeSlot();
    if (call == null) {
      for (int c = 0; c < chunks; c++) {
        t.runChunk(c);
      }
      return;
    }
    try {
      call.open(t, chunks, null);
      wakeParkedWorkers();
      claim(call, false, -1);
      // Only chunks a helper claimed are left: each is already running, so spin.
      while (call.pending.get() > 0) {
        Thread.onSpinWait();
      }
      call.close();
    } finally {
      call.taken.set(false);
    }
  }

  /**
   * Unparks the workers that parked while no call was open, after an outer or shared call opens. A
   * worker sets its flag before its last look for work and the publisher reads it after opening the
   * call (both volatile), so either the worker sees the call or the publisher sees the flag; a
   * worker still spinning needs no wake-up.
   */
  private void wakeParkedWorkers() {
    for (int i = 0; i < workers.length; i++) {
      if (parked.get(i) != 0) {
        LockSupport.unpark(workers[i]);
      }
    }
  }

  private Call takeSlot() {
    for (Call call : shared) {
      if (call.taken.compareAndSet(false, true)) {
        return call;
      }
    }
    return null;
  }

  /** Shared calls published right now. */
  int publishedSharedCalls() {
    int n = 0;
    for (Call call : shared) {
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
    for (Call call : shared) {
      ran |= claim(call, true, outerGen);
    }
    return ran;
  }

  /**
   * Claims and runs chunks of {@code call}'s current generation until none is left (or, with {@code
   * outerGen} ≥ 0, until an outer call newer than that generation opens); true when it ran at least
   * one.
   */
  private boolean claim(Call call, boolean helping, long outerGen) {
    boolean ran = false;
    while (true) {
      long s = call.state.get();
      Kernels.ChunkBody t = call.task;
      int count = call.chunkCount;
      int chunk = (int) s;
      if (t == null || chunk >= count) {
        return ran;
      }
      if (outerGen >= 0 && outer.state.get() >>> 32 != outerGen) {
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
        if (call.pending.decrementAndGet() == 0 && call.caller != null) {
          LockSupport.unpark(call.caller);
        }
      }
    }
  }

  private void workerLoop(int index) {
    // A chunk that calls a parallel kernel nests in this pool, whichever pool is the default.
    Kernels.BOUND.set(this);
    long seen = 0;
    long spinUntil = 0;
    while (!shutdown) {
      long gen = outer.state.get() >>> 32;
      if (gen == seen) {
        if (helpShared(seen)) {
          spinUntil = System.nanoTime() + SPIN_NANOS;
        } else if (System.nanoTime() < spinUntil) {
          Thread.onSpinWait();
        } else {
          parked.set(index, 1);
          boolean ran = helpShared(seen);
          if (!ran && outer.state.get() >>> 32 == seen && !shutdown) {
            LockSupport.park(this);
          }
          parked.set(index, 0);
          if (ran) {
            spinUntil = System.nanoTime() + SPIN_NANOS;
          }
        }
        continue;
      }
      seen = gen;
      claim(outer, false, -1);
      spinUntil = System.nanoTime() + SPIN_NANOS;
    }
  }

  boolean isShutdown() {
    return shutdown;
  }

  void shutdown() {
    shutdown = true;
    for (Thread w : workers) {
      LockSupport.unpark(w);
    }
  }
}
