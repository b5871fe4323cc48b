package org.sbcnm.bench;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A load generator for {@code sbcnm-train serve}: C client threads, each sending {@code GET
 * /recommend?user=…&k=K} for users drawn in turn from a q_idmap.csv, one request at a time, for a
 * bounded time and count; optionally a {@code POST /admin/reload} every R seconds alternating
 * between two checkpoints. Prints one JSON line per concurrency level: requests, failures, requests
 * per second, p50/p99/p99.9 latency in milliseconds, reloads.
 *
 * <pre>
 *   java -cp benchmarks.jar org.sbcnm.bench.ServeLoad URL Q_IDMAP K SECONDS MAX_REQUESTS CLIENTS,...
 *        [RELOAD_SECONDS CKPT_A CKPT_B]
 * </pre>
 *
 * Only 127.0.0.1 or localhost: it is a benchmark, not a tool to load other hosts.
 */
public final class ServeLoad {
  private ServeLoad() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 6 && args.length != 9) {
      System.err.println(
          "usage: ServeLoad URL Q_IDMAP K SECONDS MAX_REQUESTS CLIENTS,... [RELOAD_SECONDS CKPT_A CKPT_B]");
      System.exit(2);
    }
    URI base = URI.create(args[0]);
    if (!"127.0.0.1".equals(base.getHost()) && !"localhost".equals(base.getHost())) {
      System.err.println("ServeLoad: only 127.0.0.1 or localhost, got " + base.getHost());
      System.exit(2);
    }
    List<String> users = users(Path.of(args[1]));
    int k = Integer.parseInt(args[2]);
    double seconds = Double.parseDouble(args[3]);
    long maxRequests = Long.parseLong(args[4]);
    double reloadEvery = args.length == 9 ? Double.parseDouble(args[6]) : 0;
    String[] ckpts = args.length == 9 ? new String[] {args[7], args[8]} : null;
    for (String c : args[5].split(",")) {
      System.out.println(
          level(base, users, k, seconds, maxRequests, Integer.parseInt(c), reloadEvery, ckpts));
    }
  }

  private static List<String> users(Path idmap) throws IOException {
    List<String> out = new ArrayList<>();
    for (String line : Files.readAllLines(idmap).subList(1, Files.readAllLines(idmap).size())) {
      out.add(line.substring(0, line.lastIndexOf(',')));
    }
    return out;
  }

  /** One concurrency level; returns its JSON line. */
  private static String level(
      URI base,
      List<String> users,
      int k,
      double seconds,
      long maxRequests,
      int clients,
      double reloadEvery,
      String[] ckpts)
      throws InterruptedException {
    HttpClient http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    AtomicBoolean running = new AtomicBoolean(true);
    AtomicLong sent = new AtomicLong();
    AtomicLong failures = new AtomicLong();
    long[][] latencies = new long[clients][];
    int[] counts = new int[clients];
    Thread[] threads = new Thread[clients];
    long start = System.nanoTime();
    long deadline = start + (long) (seconds * 1e9);
    for (int c = 0; c < clients; c++) {
      int id = c;
      latencies[c] = new long[1 << 16];
      threads[c] =
          new Thread(
              () -> {
                int next = id * 7919;
                while (running.get() && System.nanoTime() < deadline) {
                  if (sent.incrementAndGet() > maxRequests) {
                    break;
                  }
                  String user = users.get(Math.floorMod(next++, users.size()));
                  HttpRequest r =
                      HttpRequest.newBuilder(
                              base.resolve(
                                  "/recommend?k="
                                      + k
                                      + "&user="
                                      + URLEncoder.encode(user, StandardCharsets.UTF_8)))
                          .timeout(Duration.ofSeconds(30))
                          .GET()
                          .build();
                  long t0 = System.nanoTime();
                  try {
                    HttpResponse<byte[]> resp =
                        http.send(r, HttpResponse.BodyHandlers.ofByteArray());
                    if (resp.statusCode() != 200) {
                      failures.incrementAndGet();
                    }
                  } catch (IOException e) {
                    failures.incrementAndGet();
                  } catch (InterruptedException e) {
                    return;
                  }
                  if (counts[id] == latencies[id].length) {
                    latencies[id] = Arrays.copyOf(latencies[id], counts[id] * 2);
                  }
                  latencies[id][counts[id]++] = System.nanoTime() - t0;
                }
              });
      threads[c].start();
    }
    int reloads = 0;
    long reloadFailures = 0;
    while (reloadEvery > 0 && System.nanoTime() < deadline && anyAlive(threads)) {
      Thread.sleep((long) (reloadEvery * 1000));
      if (System.nanoTime() >= deadline) {
        break;
      }
      String body = "{\"ckpt\": \"" + ckpts[reloads % 2].replace("\\", "\\\\") + "\"}";
      try {
        HttpResponse<String> resp =
            http.send(
                HttpRequest.newBuilder(base.resolve("/admin/reload"))
                    .POST(HttpRequest.BodyPublishers.ofString(body))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        reloadFailures += resp.statusCode() == 200 ? 0 : 1;
      } catch (IOException e) {
        reloadFailures++;
      }
      reloads++;
    }
    for (Thread t : threads) {
      t.join();
    }
    running.set(false);
    double elapsed = (System.nanoTime() - start) / 1e9;
    int n = 0;
    for (int c : counts) {
      n += c;
    }
    long[] all = new long[n];
    int at = 0;
    for (int c = 0; c < clients; c++) {
      System.arraycopy(latencies[c], 0, all, at, counts[c]);
      at += counts[c];
    }
    Arrays.sort(all);
    return String.format(
        Locale.ROOT,
        "{\"clients\": %d, \"k\": %d, \"requests\": %d, \"failures\": %d, \"seconds\": %.2f,"
            + " \"requests_per_second\": %.1f, \"p50_ms\": %.3f, \"p99_ms\": %.3f,"
            + " \"p999_ms\": %.3f, \"reloads\": %d, \"reload_failures\": %d}",
        clients,
        k,
        n,
        failures.get(),
        elapsed,
        n / elapsed,
        quantile(all, 0.5),
        quantile(all, 0.99),
        quantile(all, 0.999),
        reloads,
        reloadFailures);
  }

  private static boolean anyAlive(Thread[] threads) {
    for (Thread t : threads) {
      if (t.isAlive()) {
        return true;
      }
    }
    return false;
  }

  /** The q-quantile of sorted nanoseconds, in milliseconds (nearest rank). */
  private static double quantile(long[] sorted, double q) {
    if (sorted.length == 0) {
      return Double.NaN;
    }
    int i = (int) Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1);
    return sorted[Math.max(0, i)] / 1e6;
  }
}
