package org.sbcnm.training.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.sbcnm.datasets.prepared.IdMap;

/** The endpoints of {@link RetrievalServer}: parameters checked, model asked, JSON written. */
final class Api {
  private final RetrievalServer server;
  private final RetrievalServer.Options limits;

  Api(RetrievalServer server, RetrievalServer.Options limits) {
    this.server = server;
    this.limits = limits;
  }

  RetrievalServer.Reply recommend(HttpExchange x, ServingModel m) throws IOException {
    Map<String, String> q = RetrievalServer.query(x);
    String user = required(q, "user");
    int k = k(q.get("k"));
    boolean includeSeen = flag(q, "include_seen");
    double beta = beta(q.get("popularity_beta"));
    int u = m.users().indexOf(user);
    ServingModel.Ranked r;
    QueryBatcher batcher = server.batcher();
    if (u >= 0 && beta == 0 && batcher != null) {
      r = ask(() -> batcher.recommend(m, u, k, includeSeen));
    } else if (u >= 0) {
      r = ask(() -> m.recommend(u, k, includeSeen, beta));
    } else if (m.hashedUsers() && m.querySideFields() == 0 && m.queryFeatures() == 0) {
      r = ask(() -> m.recommendUnseen(user, null, null, null, k, includeSeen, beta));
    } else {
      throw new ApiException(
          404,
          "unknown user '"
              + user
              + "': POST /recommend with the user's "
              + (m.queryKind().label().equals("history") ? "items" : "features"));
    }
    return RetrievalServer.Reply.json(answer("user", user, m, r));
  }

  RetrievalServer.Reply recommendUnseen(HttpExchange x, ServingModel m) throws IOException {
    JsonNode body = RetrievalServer.body(x, limits.maxBodyBytes());
    if (body == null || !(body.isObject() || body.isArray())) {
      throw new ApiException(400, "POST /recommend takes a JSON object (or an array of them)");
    }
    if (body.isObject()) {
      return RetrievalServer.Reply.json(one(body, m));
    }
    if (body.size() > limits.maxBatch()) {
      throw new ApiException(
          413, body.size() + " queries in one request; at most " + limits.maxBatch());
    }
    ArrayNode out = RetrievalServer.array();
    for (JsonNode query : body) {
      if (!query.isObject()) {
        throw new ApiException(400, "each query of the array must be a JSON object");
      }
      out.add(one(query, m));
    }
    return RetrievalServer.Reply.json(out);
  }

  /** One POSTed query: a known user, or a new one by items, side codes and features. */
  private ObjectNode one(JsonNode query, ServingModel m) {
    String user = query.hasNonNull("user") ? query.get("user").asText() : null;
    int k = k(query.hasNonNull("k") ? query.get("k").asText() : null);
    boolean includeSeen = query.path("include_seen").asBoolean(false);
    double beta =
        beta(query.hasNonNull("popularity_beta") ? query.get("popularity_beta").asText() : null);
    int u = user == null ? -1 : m.users().indexOf(user);
    if (u >= 0 && !query.has("items")) {
      return answer("user", user, m, ask(() -> m.recommend(u, k, includeSeen, beta)));
    }
    int[] items = query.has("items") ? itemIndices(query.get("items"), m.items()) : null;
    int[] side = query.has("side") ? ints(query.get("side"), "side") : null;
    float[] features = query.has("features") ? floats(query.get("features")) : null;
    ServingModel.Ranked r =
        ask(() -> m.recommendUnseen(user, items, side, features, k, includeSeen, beta));
    return answer("user", user, m, r);
  }

  RetrievalServer.Reply similar(HttpExchange x, ServingModel m) throws IOException {
    Map<String, String> q = RetrievalServer.query(x);
    String item = required(q, "item");
    int k = k(q.get("k"));
    int i = m.items().indexOf(item);
    if (i < 0) {
      throw new ApiException(404, "unknown item '" + item + "'");
    }
    return RetrievalServer.Reply.json(answer("item", item, m, ask(() -> m.similar(i, k))));
  }

  RetrievalServer.Reply health(HttpExchange x, ServingModel m) throws IOException {
    Map<String, Object> o = new LinkedHashMap<>();
    o.put("status", "ok");
    o.put("model_version", m.version());
    o.put("users", m.users().size());
    o.put("items", m.items().size());
    o.put("search", m.approximate() ? "hnsw" : "exact");
    o.put("uptime_seconds", (System.currentTimeMillis() - server.startedAtMillis()) / 1000.0);
    return RetrievalServer.Reply.json(o);
  }

  RetrievalServer.Reply metrics(HttpExchange x, ServingModel m) {
    return new RetrievalServer.Reply(200, server.metrics().render(m), "text/plain; version=0.0.4");
  }

  RetrievalServer.Reply reload(HttpExchange x, ServingModel m) throws IOException {
    JsonNode body = RetrievalServer.body(x, limits.maxBodyBytes());
    Map<String, String> paths = new LinkedHashMap<>();
    if (body != null) {
      if (!body.isObject()) {
        throw new ApiException(400, "POST /admin/reload takes {\"ckpt\": ..., \"index\": ...}");
      }
      body.fields()
          .forEachRemaining(
              e -> {
                if (!e.getKey().equals("ckpt") && !e.getKey().equals("index")) {
                  throw new ApiException(400, "unknown reload field '" + e.getKey() + "'");
                }
                paths.put(e.getKey(), e.getValue().asText());
              });
    }
    long start = System.nanoTime();
    ServingModel next;
    try {
      next = server.reload(paths);
    } catch (IOException e) {
      throw new ApiException(
          422, "refused, still serving " + server.model().version() + ": " + e.getMessage());
    }
    Map<String, Object> o = new LinkedHashMap<>();
    o.put("model_version", next.version());
    o.put("previous_version", m.version());
    o.put("load_seconds", (System.nanoTime() - start) / 1e9);
    return RetrievalServer.Reply.json(o);
  }

  /** Runs a model call; its IllegalArgumentException is the client's error (400). */
  private static ServingModel.Ranked ask(java.util.function.Supplier<ServingModel.Ranked> call) {
    try {
      return call.get();
    } catch (IllegalArgumentException | IllegalStateException e) {
      throw new ApiException(400, e.getMessage());
    }
  }

  private static ObjectNode answer(String key, String id, ServingModel m, ServingModel.Ranked r) {
    ObjectNode o = RetrievalServer.object();
    if (id != null) {
      o.put(key, id);
    }
    o.put("model_version", m.version());
    ArrayNode items = o.putArray("items");
    for (int j = 0; j < r.items().length; j++) {
      ObjectNode e = items.addObject();
      e.put("item", m.items().rawId(r.items()[j]));
      e.put("score", r.scores()[j]);
    }
    return o;
  }

  private static String required(Map<String, String> q, String name) {
    String v = q.get(name);
    if (v == null || v.isEmpty()) {
      throw new ApiException(400, "parameter '" + name + "' is required");
    }
    return v;
  }

  private int k(String v) {
    int k;
    try {
      k = v == null ? 10 : Integer.parseInt(v.trim());
    } catch (NumberFormatException e) {
      throw new ApiException(400, "k must be a whole number, got '" + v + "'");
    }
    if (k < 1 || k > limits.maxK()) {
      throw new ApiException(400, "k must be in [1, " + limits.maxK() + "], got " + k);
    }
    return k;
  }

  private static boolean flag(Map<String, String> q, String name) {
    String v = q.getOrDefault(name, "false");
    if (!v.equals("true") && !v.equals("false")) {
      throw new ApiException(400, name + " must be true or false, got '" + v + "'");
    }
    return v.equals("true");
  }

  private static double beta(String v) {
    if (v == null) {
      return 0;
    }
    double b;
    try {
      b = Double.parseDouble(v.trim());
    } catch (NumberFormatException e) {
      throw new ApiException(400, "popularity_beta must be a number, got '" + v + "'");
    }
    if (!(b >= 0) || Double.isInfinite(b)) {
      throw new ApiException(400, "popularity_beta must be finite and >= 0, got " + v);
    }
    return b;
  }

  private int[] itemIndices(JsonNode node, IdMap items) {
    if (!node.isArray()) {
      throw new ApiException(400, "'items' must be an array of raw item ids");
    }
    if (node.size() > limits.maxItems()) {
      throw new ApiException(
          413, node.size() + " items in one query; at most " + limits.maxItems());
    }
    int[] out = new int[node.size()];
    for (int k = 0; k < out.length; k++) {
      out[k] = items.indexOf(node.get(k).asText());
      if (out[k] < 0) {
        throw new ApiException(404, "unknown item '" + node.get(k).asText() + "' in 'items'");
      }
    }
    return out;
  }

  private int[] ints(JsonNode node, String name) {
    if (!node.isArray() || node.size() > limits.maxItems()) {
      throw new ApiException(400, "'" + name + "' must be an array of whole numbers");
    }
    int[] out = new int[node.size()];
    for (int k = 0; k < out.length; k++) {
      if (!node.get(k).canConvertToInt()) {
        throw new ApiException(400, "'" + name + "' must be an array of whole numbers");
      }
      out[k] = node.get(k).asInt();
    }
    return out;
  }

  private float[] floats(JsonNode node) {
    if (!node.isArray() || node.size() > limits.maxItems()) {
      throw new ApiException(400, "'features' must be an array of numbers");
    }
    float[] out = new float[node.size()];
    for (int k = 0; k < out.length; k++) {
      if (!node.get(k).isNumber() || !Double.isFinite(node.get(k).asDouble())) {
        throw new ApiException(400, "'features' must be an array of finite numbers");
      }
      out[k] = (float) node.get(k).asDouble();
    }
    return out;
  }
}
