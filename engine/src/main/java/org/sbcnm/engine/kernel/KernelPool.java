package org.sbcnm.engine.kernel;

/**
 * A pool of kernel threads owned by its creator and passed to the work that uses it: while it is
 * bound to a thread ({@link #bind}), the row-parallel kernels that thread calls (GEMM, element-wise
 * ops, top-K, optimiser updates) split their work across this pool's threads and no other. Two
 * trainers in one JVM, each with its own pool, neither share nor resize each other's threads.
 *
 * <pre>
 *   try (KernelPool pool = new KernelPool(2); KernelPool.Binding b = pool.bind()) {
 *     ... kernels called here run on the pool's 2 threads (the caller is one of them) ...
 *   }
 * </pre>
 *
 * The caller takes part in every parallel call, so a pool of n threads starts n − 1 daemon threads.
 */
public final class KernelPool implements AutoCloseable {
  private final WorkerPool workers;

  /** A pool of {@code threads} threads, the calling thread counted; 1 to 1024. */
  public KernelPool(int threads) {
    if (threads < 1 || threads > 1024) {
      throw new IllegalArgumentException("threads must be in [1, 1024], got " + threads);
    }
    this.workers = new WorkerPool(threads);
  }

  /** The threads of this pool, the caller counted. */
  public int threads() {
    return workers.threads();
  }

  /**
   * Binds this pool to the calling thread until the returned binding is closed, which restores the
   * thread's previous pool. Bindings nest.
   *
   * @throws IllegalStateException when the pool is closed
   */
  public Binding bind() {
    if (workers.isShutdown()) {
      throw new IllegalStateException("kernel pool is closed");
    }
    WorkerPool previous = Kernels.BOUND.get();
    Kernels.BOUND.set(workers);
    return new Binding(previous);
  }

  /** Stops the pool's threads; the pool may not be bound again. */
  @Override
  public void close() {
    workers.shutdown();
  }

  /** A pool's binding to one thread; closing it restores the thread's previous pool. */
  public static final class Binding implements AutoCloseable {
    private final WorkerPool previous;
    private final Thread owner = Thread.currentThread();
    private boolean closed;

    private Binding(WorkerPool previous) {
      this.previous = previous;
    }

    @Override
    public void close() {
      if (Thread.currentThread() != owner) {
        throw new IllegalStateException(
            "a kernel pool binding is closed on the thread that made it");
      }
      if (!closed) {
        closed = true;
        if (previous == null) {
          Kernels.BOUND.remove();
        } else {
          Kernels.BOUND.set(previous);
        }
      }
    }
  }
}
