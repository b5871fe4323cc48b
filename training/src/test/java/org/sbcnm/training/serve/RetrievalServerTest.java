package org.sbcnm.training.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sbcnm.datasets.prepared.Interactions;
import org.sbcnm.datasets.prepared.PreparedDataset;
import org.sbcnm.datasets.synthetic.SyntheticConfig;
import org.sbcnm.datasets.synthetic.SyntheticGenerator;
import org.sbcnm.engine.io.TensorBundle;
import org.sbcnm.engine.tensor.Tensor;
import org.sbcnm.towers.config.ModelConfig;
import org.sbcnm.towers.config.TowerConfig;
import org.sbcnm.towers.config.TowerKind;
import org.sbcnm.training.loop.TrainConfig;
import org.sbcnm.training.loop.Trainer;

/** Every endpoint over a real socket on 127.0.0.1, reload under load included. */
class RetrievalServerTest {
  @TempDir static Path dir;
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static PreparedDataset data;
  private static Path first;
  private static Path second;
  private static RetrievalServer server;
  private static String base;

  private static Path train(PreparedDataset d, long seed, String name) throws IOException {
    TowerConfig q = TowerConfig.defaults(TowerKind.HISTORY).withWidths(32, 32, 16).withIdDim(16);
    TowerConfig i = TowerConfig.defaults(TowerKind.ID).withWidths(32, 32, 16).withIdDim(16);
    Path ckpt = dir.resolve(name);
    TrainConfig c =
        TrainConfig.builder()
            .epochs(2)
            .batchSize(64)
            .seed(seed)
            .hashBuckets(1 << 12)
            .threads(2)
            .build();
    Trainer.create(d, new ModelConfig(q, i, 0.05, seed), c, null, ckpt, null)
        .run(new Trainer.Listener() {});
    return ckpt;
  }

  @BeforeAll
  static void start() throws IOException {
    data = withChecksum(SyntheticGenerator.generate(SyntheticConfig.preset("tiny", 5)), "tiny-5");
    first = train(data, 1, "first.sbcnm");
    second = train(data, 2, "second.sbcnm");
    RetrievalServer.Loader loader =
        paths ->
            ServingModel.load(Path.of(paths.getOrDefault("ckpt", first.toString())), data, null);
    RetrievalServer.Options o = new RetrievalServer.Options("127.0.0.1", 0, 4, 50, 3, 100, 4096, 1);
    server = RetrievalServer.start(ServingModel.load(first, data, null), loader, o);
    base = "http://127.0.0.1:" + server.port();
  }

  /** The dataset as if read from files with this checksum. */
  private static PreparedDataset withChecksum(PreparedDataset d, String sum) {
    return new PreparedDataset(
        d.queryFeatures(),
        d.itemFeatures(),
        d.users(),
        d.items(),
        d.interactions(),
        d.querySide(),
        d.itemSide(),
        d.itemEdges(),
        sum);
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  private record Reply(int status, JsonNode json, String text) {}

  private static Reply get(String path) throws IOException, InterruptedException {
    return send(HttpRequest.newBuilder(URI.create(base + path)).GET().build());
  }

  private static Reply post(String path, String body) throws IOException, InterruptedException {
    return send(
        HttpRequest.newBuilder(URI.create(base + path))
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build());
  }

  private static Reply send(HttpRequest r) throws IOException, InterruptedException {
    HttpResponse<String> resp = HTTP.send(r, HttpResponse.BodyHandlers.ofString());
    String type = resp.headers().firstValue("Content-Type").orElse("");
    JsonNode json = type.startsWith("application/json") ? JSON.readTree(resp.body()) : null;
    return new Reply(resp.statusCode(), json, resp.body());
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  /** User u's items in time order (ties by line), as the history bags hold them. */
  private static List<String> itemsOf(int u) {
    Interactions a = data.interactions();
    List<long[]> mine = new ArrayList<>();
    for (int k = 0; k < a.size(); k++) {
      if (a.user(k) == u) {
        mine.add(new long[] {a.timestamp(k), k, a.item(k)});
      }
    }
    mine.sort((x, y) -> x[0] != y[0] ? Long.compare(x[0], y[0]) : Long.compare(x[1], y[1]));
    List<String> out = new ArrayList<>();
    for (long[] m : mine) {
      out.add(data.items().rawId((int) m[2]));
    }
    return out;
  }

  private static List<String> items(JsonNode answer) {
    List<String> out = new ArrayList<>();
    answer.get("items").forEach(e -> out.add(e.get("item").asText()));
    return out;
  }

  @Test
  void aKnownUserGetsTheBestItemsNotSeen() throws Exception {
    int u = 7;
    String user = data.users().rawId(u);
    Reply r = get("/recommend?user=" + enc(user) + "&k=5");
    assertEquals(200, r.status(), r.text());
    assertEquals(user, r.json().get("user").asText());
    List<String> got = items(r.json());
    // The oracle: the whole catalogue ranked with nothing left out, the user's items then removed.
    ServingModel m = server.model();
    ServingModel.Ranked all = m.recommend(u, data.numItems(), true, 0);
    Set<String> seen = new HashSet<>(itemsOf(u));
    List<String> expected = new ArrayList<>();
    for (int j = 0; j < all.items().length && expected.size() < 5; j++) {
      String id = data.items().rawId(all.items()[j]);
      if (!seen.contains(id)) {
        expected.add(id);
      }
    }
    assertEquals(expected, got);
    double last = Double.POSITIVE_INFINITY;
    for (JsonNode e : r.json().get("items")) {
      assertTrue(e.get("score").asDouble() <= last);
      last = e.get("score").asDouble();
    }
    Reply withSeen = get("/recommend?user=" + enc(user) + "&k=5&include_seen=true");
    List<String> top = new ArrayList<>();
    for (int j = 0; j < 5; j++) {
      top.add(data.items().rawId(all.items()[j]));
    }
    assertEquals(top, items(withSeen.json()));
  }

  @Test
  void aNewUserDescribedByItemsGetsWhatTheKnownUserGets() throws Exception {
    int u = 11;
    JsonNode known = get("/recommend?user=" + enc(data.users().rawId(u)) + "&k=8").json();
    int[] side = new int[data.querySide().fields()];
    for (int f = 0; f < side.length; f++) {
      side[f] = data.querySide().code(u, f);
    }
    Map<String, Object> body = Map.of("items", itemsOf(u), "side", side, "k", 8);
    Reply r = post("/recommend", JSON.writeValueAsString(body));
    assertEquals(200, r.status(), r.text());
    assertEquals(items(known), items(r.json()));
    for (int j = 0; j < 8; j++) {
      assertEquals(
          known.get("items").get(j).get("score").asDouble(),
          r.json().get("items").get(j).get("score").asDouble(),
          1e-5);
    }
    Reply batch =
        post(
            "/recommend",
            "["
                + JSON.writeValueAsString(body)
                + ", {\"user\": \""
                + data.users().rawId(u)
                + "\", \"k\": 8}]");
    assertEquals(200, batch.status(), batch.text());
    assertEquals(items(known), items(batch.json().get(0)));
    assertEquals(items(known), items(batch.json().get(1)));
  }

  @Test
  void similarItemsLeaveTheItemOut() throws Exception {
    String item = data.items().rawId(3);
    Reply r = get("/similar?item=" + enc(item) + "&k=4");
    assertEquals(200, r.status(), r.text());
    List<String> got = items(r.json());
    assertEquals(4, got.size());
    assertFalse(got.contains(item));
    assertEquals(404, get("/similar?item=nope").status());
  }

  @Test
  void badRequestsGetAReasonNeverAStackTrace() throws Exception {
    String user = enc(data.users().rawId(1));
    Reply unknown = get("/recommend?user=nobody");
    assertEquals(404, unknown.status());
    assertTrue(unknown.json().get("error").asText().contains("unknown user 'nobody'"));
    assertEquals(400, get("/recommend?user=" + user + "&k=0").status());
    assertEquals(400, get("/recommend?user=" + user + "&k=51").status());
    assertEquals(400, get("/recommend?user=" + user + "&k=ten").status());
    assertEquals(400, get("/recommend?k=3").status());
    assertEquals(400, get("/recommend?user=" + user + "&include_seen=maybe").status());
    assertEquals(400, get("/recommend?user=" + user + "&popularity_beta=-1").status());
    assertEquals(405, post("/similar", "{}").status());
    assertEquals(404, get("/recommendations?user=" + user).status());
    assertEquals(400, post("/recommend", "{not json").status());
    assertEquals(400, post("/recommend", "{\"k\": 3}").status());
    assertEquals(404, post("/recommend", "{\"items\": [\"no-such-item\"]}").status());
    assertEquals(413, post("/recommend", "[{}, {}, {}, {}]").status());
    assertEquals(413, post("/recommend", "{\"items\": [\"" + "x".repeat(5000) + "\"]}").status());
    Reply r = post("/recommend", "{\"k\": 3}");
    assertTrue(r.json().get("error").asText().contains("'items'"), r.text());
    assertFalse(r.text().contains("at org."), r.text());
  }

  @Test
  void popularityBetaReranksTowardTheTail() throws Exception {
    String user = enc(data.users().rawId(2));
    List<String> plain = items(get("/recommend?user=" + user + "&k=20").json());
    Reply beta = get("/recommend?user=" + user + "&k=20&popularity_beta=1");
    assertEquals(200, beta.status(), beta.text());
    assertNotEquals(plain, items(beta.json()));
    long[] counts = data.interactions().itemCounts(data.numItems());
    assertTrue(meanCount(items(beta.json()), counts) < meanCount(plain, counts));
  }

  private static double meanCount(List<String> items, long[] counts) {
    return items.stream().mapToLong(i -> counts[data.items().indexOf(i)]).average().orElseThrow();
  }

  @Test
  void healthAndMetricsDescribeTheService() throws Exception {
    get("/recommend?user=" + enc(data.users().rawId(4)));
    Reply h = get("/health");
    assertEquals(200, h.status());
    assertEquals("ok", h.json().get("status").asText());
    assertEquals(data.numItems(), h.json().get("items").asInt());
    assertTrue(h.json().get("model_version").asText().contains(".sbcnm@"));
    Reply m = get("/metrics");
    assertEquals(200, m.status());
    assertTrue(m.text().contains("sbcnm_requests_total{endpoint=\"/recommend\",code=\"200\"}"));
    assertTrue(
        m.text().contains("sbcnm_request_seconds_bucket{endpoint=\"/recommend\",le=\"+Inf\"}"));
    assertTrue(m.text().contains("sbcnm_model_info{version=\""));
    assertTrue(m.text().contains("sbcnm_model_loaded_seconds "));
  }

  /** Reloads during a load of four clients: every request answered, both models seen. */
  @Test
  void reloadsUnderLoadDropNothingAndBadModelsAreRefused() throws Exception {
    AtomicBoolean running = new AtomicBoolean(true);
    AtomicInteger answered = new AtomicInteger();
    List<String> failures = java.util.Collections.synchronizedList(new ArrayList<>());
    Set<String> versions = ConcurrentHashMap.newKeySet();
    List<Thread> clients = new ArrayList<>();
    for (int c = 0; c < 4; c++) {
      int seed = c;
      Thread t =
          new Thread(
              () -> {
                int n = seed;
                while (running.get()) {
                  try {
                    Reply r =
                        get(
                            "/recommend?user="
                                + enc(data.users().rawId(n++ % data.numUsers()))
                                + "&k=10");
                    if (r.status() != 200) {
                      failures.add(r.status() + " " + r.text());
                    } else {
                      versions.add(r.json().get("model_version").asText());
                      answered.incrementAndGet();
                    }
                  } catch (Exception e) {
                    failures.add(e.toString());
                  }
                }
              });
      t.start();
      clients.add(t);
    }
    for (int k = 0; k < 6; k++) {
      Path next = k % 2 == 0 ? second : first;
      Reply r =
          post("/admin/reload", "{\"ckpt\": " + JSON.writeValueAsString(next.toString()) + "}");
      assertEquals(200, r.status(), r.text());
      Thread.sleep(100);
    }
    running.set(false);
    for (Thread t : clients) {
      t.join();
    }
    assertEquals(List.of(), failures);
    assertTrue(answered.get() > 20, answered.get() + " answered");
    assertEquals(2, versions.size(), versions.toString());

    String before = get("/health").json().get("model_version").asText();
    Path corrupt = dir.resolve("corrupt.sbcnm");
    byte[] bytes = Files.readAllBytes(first);
    bytes[bytes.length / 2] ^= 0x55;
    Files.write(corrupt, bytes);
    Reply damaged =
        post("/admin/reload", "{\"ckpt\": " + JSON.writeValueAsString(corrupt.toString()) + "}");
    assertEquals(422, damaged.status());
    assertTrue(damaged.json().get("error").asText().contains("checksum mismatch"), damaged.text());

    TensorBundle b = TensorBundle.read(first);
    Tensor w = b.tensor("param/item.id").copy();
    w.setFlat(0, Double.NaN);
    b.put("param/item.id", w);
    Path nan = dir.resolve("nan.sbcnm");
    b.write(nan);
    Reply diverged =
        post("/admin/reload", "{\"ckpt\": " + JSON.writeValueAsString(nan.toString()) + "}");
    assertEquals(422, diverged.status());
    assertTrue(diverged.json().get("error").asText().contains("NaN"), diverged.text());

    Path other =
        train(
            withChecksum(SyntheticGenerator.generate(SyntheticConfig.preset("tiny", 6)), "tiny-6"),
            1,
            "other.sbcnm");
    Reply elsewhere =
        post("/admin/reload", "{\"ckpt\": " + JSON.writeValueAsString(other.toString()) + "}");
    assertEquals(422, elsewhere.status());
    assertTrue(elsewhere.json().get("error").asText().contains("other data"), elsewhere.text());
    assertEquals(400, post("/admin/reload", "{\"model\": \"x\"}").status());

    assertEquals(before, get("/health").json().get("model_version").asText());
    assertEquals(200, get("/recommend?user=" + enc(data.users().rawId(0))).status());
    assertTrue(get("/metrics").text().contains("sbcnm_reloads_total{result=\"refused\"} 3"));
  }

  /** Requests searched together, from eight threads at once, answer as each searched alone. */
  @Test
  void batchedSearchesAnswerAsSearchedAlone() throws Exception {
    ServingModel m = server.model();
    List<String> wrong = java.util.Collections.synchronizedList(new ArrayList<>());
    try (QueryBatcher batcher = new QueryBatcher(1, 16)) {
      List<Thread> threads = new ArrayList<>();
      for (int c = 0; c < 8; c++) {
        int id = c;
        Thread t =
            new Thread(
                () -> {
                  for (int n = 0; n < 40; n++) {
                    int u = (id * 37 + n * 11) % data.numUsers();
                    int k = 1 + (n % 12);
                    boolean seen = n % 3 == 0;
                    ServingModel.Ranked a = batcher.recommend(m, u, k, seen);
                    ServingModel.Ranked b = m.recommend(u, k, seen, 0);
                    if (!java.util.Arrays.equals(a.items(), b.items())
                        || !java.util.Arrays.equals(a.scores(), b.scores())) {
                      wrong.add("user " + u + " k " + k);
                    }
                  }
                });
        t.start();
        threads.add(t);
      }
      for (Thread t : threads) {
        t.join();
      }
    }
    assertEquals(List.of(), wrong);
  }

  /** An MLP query tower serves a new user from their raw features as it serves the known one. */
  @Test
  void anMlpTowerServesANewUserFromTheirFeatures() throws IOException {
    TowerConfig q = TowerConfig.defaults(TowerKind.MLP).withWidths(32, 32, 16);
    TowerConfig i = TowerConfig.defaults(TowerKind.ID).withWidths(32, 32, 16).withIdDim(16);
    Path ckpt = dir.resolve("mlp.sbcnm");
    TrainConfig c =
        TrainConfig.builder()
            .epochs(1)
            .batchSize(64)
            .seed(3)
            .hashBuckets(1 << 12)
            .threads(2)
            .build();
    Trainer.create(data, new ModelConfig(q, i, 0.05, 3), c, null, ckpt, null)
        .run(new Trainer.Listener() {});
    ServingModel m = ServingModel.load(ckpt, data, null);
    int u = 9;
    float[] features = new float[data.queryFeatures().cols()];
    for (int f = 0; f < features.length; f++) {
      features[f] = (float) data.queryFeatures().get(u, f);
    }
    ServingModel.Ranked known = m.recommend(u, 10, true, 0);
    ServingModel.Ranked fresh = m.recommendUnseen(null, null, null, features, 10, true, 0);
    assertEquals(
        java.util.Arrays.toString(known.items()), java.util.Arrays.toString(fresh.items()));
    for (int j = 0; j < 10; j++) {
      assertEquals(known.scores()[j], fresh.scores()[j], 1e-5);
    }
    IllegalArgumentException short_ =
        org.junit.jupiter.api.Assertions.assertThrows(
            IllegalArgumentException.class,
            () -> m.recommendUnseen(null, null, null, new float[2], 10, true, 0));
    assertTrue(short_.getMessage().contains("dense features"), short_.getMessage());
  }
}
