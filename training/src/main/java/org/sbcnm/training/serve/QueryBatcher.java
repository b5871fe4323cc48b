package org.sbcnm.training.serve;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Known users' exact searches, gathered from concurrent requests into one search: the requests
 * waiting when a search thread comes free (up to {@code maxBatch}) are scored together, [b, d]
 * against the item embeddings [N, d] in one blocked GEMM, so the catalogue is read once for b
 * queries instead of b times. Nothing waits for a batch to fill: a lone request is searched at
 * once, and batches form only while earlier ones are being computed.
 */
final class QueryBatcher implements AutoCloseable {
  private record Job(
      ServingModel model,
      int user,
      int k,
      boolean includeSeen,
      CompletableFuture<ServingModel.Ranked> done) {}

  private final BlockingQueue<Job> queue = new LinkedBlockingQueue<>();
  private final int maxBatch;
  private final Thread[] threads;
  private volatile boolean closed;

  QueryBatcher(int threads, int maxBatch) {
    this.maxBatch = maxBatch;
    this.threads = new Thread[threads];
    for (int t = 0; t < threads; t++) {
      this.threads[t] = new Thread(this::run, "sbcnm-serve-search-" + (t + 1));
      this.threads[t].setDaemon(true);
      this.threads[t].start();
    }
  }

  /** The top {@code k} of known user {@code user} under {@code model}, searched in a batch. */
  ServingModel.Ranked recommend(ServingModel model, int user, int k, boolean includeSeen) {
    Job j = new Job(model, user, k, includeSeen, new CompletableFuture<>());
    queue.add(j);
    try {
      return j.done().join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw e;
    }
  }

  private void run() {
    List<Job> batch = new ArrayList<>(maxBatch);
    while (!closed) {
      Job first;
      try {
        first = queue.poll(100, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        return;
      }
      if (first == null) {
        continue;
      }
      batch.clear();
      batch.add(first);
      queue.drainTo(batch, maxBatch - 1);
      // A reload between two requests puts two models in one batch: each searches its own.
      while (!batch.isEmpty()) {
        ServingModel m = batch.get(0).model();
        List<Job> same = new ArrayList<>();
        batch.removeIf(j -> j.model() == m && same.add(j));
        search(m, same);
      }
    }
  }

  private static void search(ServingModel m, List<Job> jobs) {
    int n = jobs.size();
    int[] users = new int[n];
    boolean[] includeSeen = new boolean[n];
    int k = 1;
    for (int r = 0; r < n; r++) {
      users[r] = jobs.get(r).user();
      includeSeen[r] = jobs.get(r).includeSeen();
      k = Math.max(k, jobs.get(r).k());
    }
    try {
      ServingModel.Ranked[] out = m.recommendAll(users, includeSeen, k, 0);
      for (int r = 0; r < n; r++) {
        jobs.get(r).done().complete(out[r].first(jobs.get(r).k()));
      }
    } catch (RuntimeException e) {
      for (Job j : jobs) {
        j.done().completeExceptionally(e);
      }
    }
  }

  @Override
  public void close() {
    closed = true;
    for (Thread t : threads) {
      t.interrupt();
    }
  }
}
