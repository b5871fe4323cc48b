package org.sbcnm.training.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.sbcnm.datasets.prepared.PreparedDataset;
import org.sbcnm.training.loop.CheckpointFiles;
import org.sbcnm.training.serve.RetrievalServer;
import org.sbcnm.training.serve.ServingModel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code serve}: the HTTP retrieval service ({@link RetrievalServer}), until stopped. */
@Command(
    name = "serve",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Serve a model over HTTP (JSON): GET /recommend?user=ID&k=10, POST /recommend (a new user's items, side codes or features), GET /similar?item=ID&k=10, GET /health, GET /metrics (Prometheus), POST /admin/reload (a new checkpoint swapped in without dropping a request).",
      "Runs until stopped (Ctrl-C, SIGTERM)."
    })
final class ServeCommand implements Callable<Integer> {
  @Mixin DataOptions data;

  @Option(
      names = "--ckpt",
      required = true,
      paramLabel = "FILE",
      description = "Checkpoint ({} in the name: the highest-numbered file present).")
  Path ckpt;

  @Option(
      names = "--index",
      paramLabel = "FILE",
      description = "An exported HNSW index to search instead of the exact one.")
  Path index;

  @Option(names = "--host", defaultValue = "127.0.0.1", description = "Address to bind.")
  String host;

  @Option(names = "--port", defaultValue = "8080", description = "Port (0: any free one).")
  int port;

  @Option(names = "--workers", defaultValue = "0", description = "Request threads (0 = cores).")
  int workers;

  @Option(names = "--max_k", defaultValue = "1000", description = "Largest k a request may ask.")
  int maxK;

  @Option(names = "--max_batch", defaultValue = "64", description = "Queries per POST, at most.")
  int maxBatch;

  @Option(
      names = "--max_items",
      defaultValue = "10000",
      description = "Items (or features) in one query, at most.")
  int maxItems;

  @Option(
      names = "--max_body_bytes",
      defaultValue = "1048576",
      description = "Largest request body.")
  int maxBodyBytes;

  @Option(
      names = "--search_threads",
      defaultValue = "0",
      description =
          "Threads that search known users' requests in batches (one GEMM for the requests waiting); 0 = each request searches alone, which measured faster on 2 cores.")
  int searchThreads;

  @Option(
      names = "--watch",
      defaultValue = "0",
      paramLabel = "SECONDS",
      description = "Reload when the checkpoint file changes, checked this often (0 = off).")
  int watchSeconds;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws IOException, InterruptedException {
    RetrievalServer.Options options;
    try {
      options =
          new RetrievalServer.Options(
              host,
              port,
              workers > 0 ? workers : Runtime.getRuntime().availableProcessors(),
              maxK,
              maxBatch,
              maxItems,
              maxBodyBytes,
              searchThreads);
    } catch (IllegalArgumentException e) {
      throw new CliException(e.getMessage());
    }
    PreparedDataset d = data.load();
    Path[] paths = {ckpt, index};
    ServingModel first = ServingModel.load(ckpt, d, index);
    RetrievalServer.Loader loader =
        overrides -> {
          Path c = overrides.containsKey("ckpt") ? Path.of(overrides.get("ckpt")) : paths[0];
          Path i = overrides.containsKey("index") ? Path.of(overrides.get("index")) : paths[1];
          ServingModel m = ServingModel.load(c, d, i);
          paths[0] = c;
          paths[1] = i;
          return m;
        };
    RetrievalServer server = RetrievalServer.start(first, loader, options);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  server.close();
                  stopped.countDown();
                }));
    spec.commandLine()
        .getOut()
        .printf(
            "serving %s on http://%s:%d/ (Ctrl-C to stop)%n", first.version(), host, server.port());
    spec.commandLine().getOut().flush();
    if (watchSeconds > 0) {
      watch(server, paths);
    }
    stopped.await();
    return 0;
  }

  /** Reloads whenever the checkpoint file's modification time changes. */
  private void watch(RetrievalServer server, Path[] paths) {
    Thread t =
        new Thread(
            () -> {
              FileTime seen = modified(paths[0]);
              while (!Thread.currentThread().isInterrupted()) {
                try {
                  Thread.sleep(watchSeconds * 1000L);
                } catch (InterruptedException e) {
                  return;
                }
                FileTime now = modified(paths[0]);
                if (now != null && !now.equals(seen)) {
                  seen = now;
                  try {
                    server.reload(Map.of());
                  } catch (IOException e) {
                    // Logged by the server; the old model keeps serving.
                  }
                }
              }
            },
            "sbcnm-serve-watch");
    t.setDaemon(true);
    t.start();
  }

  private static FileTime modified(Path ckpt) {
    try {
      return Files.getLastModifiedTime(CheckpointFiles.latest(ckpt));
    } catch (IOException e) {
      return null;
    }
  }
}
