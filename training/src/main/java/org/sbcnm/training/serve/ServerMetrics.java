package org.sbcnm.training.serve;

import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Request counts by endpoint and status, a latency histogram by endpoint, and reloads, rendered in
 * Prometheus' text format (version 0.0.4). Lock-free: counters are {@link LongAdder}s.
 */
final class ServerMetrics {
  /** Upper bounds of the latency buckets, in seconds (the last, +Inf, is implied). */
  static final double[] BUCKETS = {
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5
  };

  private final Map<String, LongAdder> requests = new ConcurrentHashMap<>();
  private final Map<String, Histogram> latency = new ConcurrentHashMap<>();
  private final LongAdder reloadsOk = new LongAdder();
  private final LongAdder reloadsRefused = new LongAdder();

  private static final class Histogram {
    final LongAdder[] counts = new LongAdder[BUCKETS.length + 1];
    final LongAdder count = new LongAdder();
    final LongAdder sumNanos = new LongAdder();

    Histogram() {
      for (int b = 0; b < counts.length; b++) {
        counts[b] = new LongAdder();
      }
    }

    void add(long nanos) {
      double s = nanos / 1e9;
      int b = 0;
      while (b < BUCKETS.length && s > BUCKETS[b]) {
        b++;
      }
      counts[b].increment();
      count.increment();
      sumNanos.add(nanos);
    }
  }

  /** Records one finished request. */
  void request(String endpoint, int status, long nanos) {
    requests.computeIfAbsent(endpoint + "\u0000" + status, x -> new LongAdder()).increment();
    latency.computeIfAbsent(endpoint, x -> new Histogram()).add(nanos);
  }

  void reload(boolean ok) {
    (ok ? reloadsOk : reloadsRefused).increment();
  }

  /**
   * The Prometheus text exposition of everything, with the serving model's version and load time.
   */
  String render(ServingModel model) {
    StringBuilder s = new StringBuilder();
    s.append("# HELP sbcnm_requests_total Requests answered, by endpoint and HTTP status.\n");
    s.append("# TYPE sbcnm_requests_total counter\n");
    requests.entrySet().stream()
        .sorted(Map.Entry.comparingByKey())
        .forEach(
            e -> {
              String[] k = e.getKey().split("\u0000");
              s.append(
                  String.format(
                      Locale.ROOT,
                      "sbcnm_requests_total{endpoint=\"%s\",code=\"%s\"} %d%n",
                      k[0],
                      k[1],
                      e.getValue().sum()));
            });
    s.append("# HELP sbcnm_request_seconds Request latency, by endpoint.\n");
    s.append("# TYPE sbcnm_request_seconds histogram\n");
    latency.entrySet().stream()
        .sorted(Map.Entry.comparingByKey())
        .forEach(e -> histogram(s, e.getKey(), e.getValue()));
    s.append("# HELP sbcnm_reloads_total Model reloads, by result.\n");
    s.append("# TYPE sbcnm_reloads_total counter\n");
    s.append("sbcnm_reloads_total{result=\"ok\"} ").append(reloadsOk.sum()).append('\n');
    s.append("sbcnm_reloads_total{result=\"refused\"} ").append(reloadsRefused.sum()).append('\n');
    s.append("# HELP sbcnm_model_info The model being served.\n");
    s.append("# TYPE sbcnm_model_info gauge\n");
    s.append("sbcnm_model_info{version=\"")
        .append(model.version().replace("\\", "\\\\").replace("\"", "\\\""))
        .append("\"} 1\n");
    s.append(
        "# HELP sbcnm_model_loaded_seconds When the model being served was loaded (Unix time).\n");
    s.append("# TYPE sbcnm_model_loaded_seconds gauge\n");
    s.append(
        String.format(
            Locale.ROOT, "sbcnm_model_loaded_seconds %.3f%n", model.loadedAtMillis() / 1e3));
    return s.toString();
  }

  private static void histogram(StringBuilder s, String endpoint, Histogram h) {
    long cumulative = 0;
    for (int b = 0; b <= BUCKETS.length; b++) {
      cumulative += h.counts[b].sum();
      String le = b < BUCKETS.length ? Double.toString(BUCKETS[b]) : "+Inf";
      s.append("sbcnm_request_seconds_bucket{endpoint=\"")
          .append(endpoint)
          .append("\",le=\"")
          .append(le)
          .append("\"} ")
          .append(cumulative)
          .append('\n');
    }
    s.append(
        String.format(
            Locale.ROOT,
            "sbcnm_request_seconds_sum{endpoint=\"%s\"} %.6f%n",
            endpoint,
            h.sumNanos.sum() / 1e9));
    s.append("sbcnm_request_seconds_count{endpoint=\"")
        .append(endpoint)
        .append("\"} ")
        .append(h.count.sum())
        .append('\n');
  }
}
