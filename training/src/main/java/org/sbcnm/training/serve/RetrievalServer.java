package org.sbcnm.training.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An HTTP retrieval service on the JDK's built-in server ({@code jdk.httpserver}), JSON in and out.
 *
 * <pre>
 *   GET  /recommend?user=ID&amp;k=10[&amp;include_seen=true][&amp;popularity_beta=β]   a known user
 *   POST /recommend   {"items": [...], "side": [...], "user": "...", "features": [...], "k": 10}
 *                     a user the model never saw (or an array of such queries, up to max_batch)
 *   GET  /similar?item=ID&amp;k=10                                          item to item, ⟨vᵢ, vⱼ⟩
 *   GET  /health      GET /metrics (Prometheus text)      POST /admin/reload {"ckpt": ..., "index": ...}
 * </pre>
 *
 * <p><b>Hot reload</b>: the new model is loaded beside the one serving, then swapped in with one
 * atomic write. Each request reads the model once, when it starts, so requests in flight finish on
 * the old model and later ones see the new one; none fails. A model that does not load (damaged
 * file, non-finite weights, another dataset, an index that does not fit) is refused with the reason
 * and the old one keeps serving. One reload at a time.
 *
 * <p><b>Batched</b> (optional): with search threads, a known user's request joins the others
 * waiting at that moment in one search ({@link QueryBatcher}); the answer is the same as searched
 * alone. Off by default: on 2 cores it served fewer requests a second than each request alone.
 *
 * <p><b>Bounded</b>: k ≤ {@code maxK}, at most {@code maxBatch} queries and {@code maxItems} items
 * a request, bodies up to {@code maxBodyBytes}; a fixed pool of {@code workers} threads. Bad input
 * gets a 4xx with a JSON reason; an unexpected failure a 500 with the exception's class only (the
 * stack trace goes to the log). Binds to 127.0.0.1 unless told otherwise.
 */
public final class RetrievalServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RetrievalServer.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  static {
    // Without TCP_NODELAY a response's headers and body leave as two segments, and Nagle's
    // algorithm holds the second until the client's delayed ACK: about 40 ms on every request.
    // Read once, when the JDK's server first starts.
    if (System.getProperty("sun.net.httpserver.nodelay") == null) {
      System.setProperty("sun.net.httpserver.nodelay", "true");
    }
  }

  /** Where and how much the server serves. */
  public record Options(
      String host,
      int port,
      int workers,
      int maxK,
      int maxBatch,
      int maxItems,
      int maxBodyBytes,
      int searchThreads) {
    public Options {
      if (port < 0 || port > 65_535 || workers < 1 || maxK < 1 || maxBatch < 1 || maxItems < 1) {
        throw new IllegalArgumentException(
            "serve: port in [0, 65535]; workers, max_k, max_batch and max_items >= 1");
      }
      if (searchThreads < 0) {
        throw new IllegalArgumentException("serve: search_threads must be >= 0");
      }
      if (maxBodyBytes < 64) {
        throw new IllegalArgumentException("serve: max_body_bytes must be >= 64");
      }
    }

    /**
     * 127.0.0.1:8080, one worker per processor, k ≤ 1000, 64 queries and 10,000 items, 1 MiB, and
     * each request searching alone: gathering requests into batches measured slower on 2 cores
     * ({@code bench/serve-load.sh}), the top-K selection and the HTTP work outweighing the
     * catalogue reads a batch saves.
     */
    public static Options defaults() {
      return new Options(
          "127.0.0.1",
          8080,
          Runtime.getRuntime().availableProcessors(),
          1000,
          64,
          10_000,
          1 << 20,
          0);
    }
  }

  /**
   * Loads a model for a reload; {@code paths} may override "ckpt" and "index" (null: as before).
   */
  @FunctionalInterface
  public interface Loader {
    ServingModel load(Map<String, String> paths) throws IOException;
  }

  private final AtomicReference<ServingModel> current;
  private final Loader loader;
  private final Options options;
  private final HttpServer server;
  private final ExecutorService workers;
  private final ServerMetrics metrics = new ServerMetrics();
  private final QueryBatcher batcher;
  private final Object reloading = new Object();
  private final long startedAtMillis = System.currentTimeMillis();

  private RetrievalServer(ServingModel first, Loader loader, Options options) throws IOException {
    this.current = new AtomicReference<>(first);
    this.loader = loader;
    this.options = options;
    this.server = HttpServer.create(new InetSocketAddress(options.host(), options.port()), 256);
    this.workers = Executors.newFixedThreadPool(options.workers(), daemon());
    this.batcher =
        options.searchThreads() > 0 ? new QueryBatcher(options.searchThreads(), 64) : null;
    server.setExecutor(workers);
    Api api = new Api(this, options);
    context("/recommend", "GET", api::recommend, "POST", api::recommendUnseen);
    context("/similar", "GET", api::similar, null, null);
    context("/health", "GET", api::health, null, null);
    context("/metrics", "GET", api::metrics, null, null);
    context("/admin/reload", "POST", api::reload, null, null);
  }

  /** Starts serving {@code first}; {@code loader} loads the models of later reloads. */
  public static RetrievalServer start(ServingModel first, Loader loader, Options options)
      throws IOException {
    RetrievalServer s = new RetrievalServer(first, loader, options);
    s.server.start();
    LOG.info("serving {} on http://{}:{}/", first.version(), options.host(), s.port());
    return s;
  }

  private static java.util.concurrent.ThreadFactory daemon() {
    java.util.concurrent.atomic.AtomicInteger n = new java.util.concurrent.atomic.AtomicInteger();
    return r -> {
      Thread t = new Thread(r, "sbcnm-serve-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  /** The port bound (the one chosen by the system when asked for 0). */
  public int port() {
    return server.getAddress().getPort();
  }

  /** The model answering new requests. */
  public ServingModel model() {
    return current.get();
  }

  ServerMetrics metrics() {
    return metrics;
  }

  /** The batcher of known users' searches, or null when each request searches alone. */
  QueryBatcher batcher() {
    return batcher;
  }

  long startedAtMillis() {
    return startedAtMillis;
  }

  /**
   * Loads a model beside the serving one and swaps it in; on failure the old one stays.
   *
   * @return the new model
   * @throws IOException why the new model was refused (the old one still serves)
   */
  public ServingModel reload(Map<String, String> paths) throws IOException {
    synchronized (reloading) {
      ServingModel next;
      try {
        next = loader.load(paths);
      } catch (IOException | RuntimeException e) {
        metrics.reload(false);
        LOG.warn("reload refused, still serving {}: {}", current.get().version(), e.getMessage());
        throw e instanceof IOException io ? io : new IOException(e.getMessage(), e);
      }
      current.set(next);
      metrics.reload(true);
      LOG.info("now serving {}", next.version());
      return next;
    }
  }

  /** Stops accepting, lets requests in flight finish (up to two seconds), and stops the workers. */
  @Override
  public void close() {
    server.stop(1);
    workers.shutdown();
    if (batcher != null) {
      batcher.close();
    }
    try {
      workers.awaitTermination(2, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** What an endpoint answers: a status and a body (JSON unless {@code contentType} says). */
  record Reply(int status, String body, String contentType) {
    static Reply json(Object value) throws IOException {
      return new Reply(200, JSON.writeValueAsString(value), "application/json");
    }
  }

  /** An endpoint's answer to one request, given the model it read when the request started. */
  @FunctionalInterface
  interface Endpoint {
    Reply answer(HttpExchange x, ServingModel model) throws IOException;
  }

  private void context(String path, String m1, Endpoint e1, String m2, Endpoint e2) {
    server.createContext(
        path,
        x -> {
          long start = System.nanoTime();
          int status = 500;
          Reply reply;
          try {
            if (!x.getRequestURI().getPath().equals(path)) {
              throw new ApiException(404, "no such endpoint: " + x.getRequestURI().getPath());
            }
            String method = x.getRequestMethod();
            Endpoint e = method.equals(m1) ? e1 : method.equals(m2) ? e2 : null;
            if (e == null) {
              x.getResponseHeaders().add("Allow", m2 == null ? m1 : m1 + ", " + m2);
              throw new ApiException(405, method + " is not served at " + path);
            }
            reply = e.answer(x, current.get());
          } catch (ApiException err) {
            reply = error(err.status(), err.getMessage());
          } catch (IOException | RuntimeException err) {
            LOG.error("{} {}: {}", x.getRequestMethod(), x.getRequestURI(), err.toString(), err);
            reply = error(500, "internal error (" + err.getClass().getSimpleName() + ")");
          }
          status = reply.status();
          try {
            send(x, reply);
          } finally {
            metrics.request(path, status, System.nanoTime() - start);
            x.close();
          }
        });
  }

  private static Reply error(int status, String message) {
    ObjectNode o = JSON.createObjectNode();
    o.put("error", message);
    return new Reply(status, o.toString(), "application/json");
  }

  private static void send(HttpExchange x, Reply r) throws IOException {
    byte[] bytes = r.body().getBytes(StandardCharsets.UTF_8);
    x.getResponseHeaders().set("Content-Type", r.contentType() + "; charset=utf-8");
    x.sendResponseHeaders(r.status(), bytes.length);
    try (OutputStream out = x.getResponseBody()) {
      out.write(bytes);
    }
  }

  /** A request's query parameters, decoded. */
  static Map<String, String> query(HttpExchange x) {
    Map<String, String> out = new LinkedHashMap<>();
    String raw = x.getRequestURI().getRawQuery();
    if (raw == null || raw.isEmpty()) {
      return out;
    }
    for (String pair : raw.split("&")) {
      int eq = pair.indexOf('=');
      String k = eq < 0 ? pair : pair.substring(0, eq);
      String v = eq < 0 ? "" : pair.substring(eq + 1);
      try {
        out.put(
            URLDecoder.decode(k, StandardCharsets.UTF_8),
            URLDecoder.decode(v, StandardCharsets.UTF_8));
      } catch (IllegalArgumentException e) {
        throw new ApiException(400, "malformed query string: " + e.getMessage());
      }
    }
    return out;
  }

  /** The request body as JSON, refused past {@code maxBytes}; null when empty. */
  static JsonNode body(HttpExchange x, int maxBytes) throws IOException {
    byte[] buf;
    try (InputStream in = x.getRequestBody()) {
      buf = in.readNBytes(maxBytes + 1);
    }
    if (buf.length > maxBytes) {
      throw new ApiException(413, "request body over " + maxBytes + " bytes");
    }
    if (buf.length == 0) {
      return null;
    }
    try {
      return JSON.readTree(buf);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new ApiException(400, "request body is not JSON: " + e.getOriginalMessage());
    }
  }

  static ArrayNode array() {
    return JSON.createArrayNode();
  }

  static ObjectNode object() {
    return JSON.createObjectNode();
  }
}
