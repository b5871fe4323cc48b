package org.sbcnm.training.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sbcnm.engine.io.Npy;
import org.sbcnm.engine.tensor.Tensor;

/**
 * The command line in-process: prep → train → eval → export → retrieve → compare, and bad input.
 */
class CliTest {
  @TempDir static Path shared;
  @TempDir Path dir;
  static Path data;
  static Path model;

  record Result(int code, String out, String err) {}

  static Result run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
    return new Result(code, out.toString(), err.toString());
  }

  static final String[] SMALL = {
    "--epochs",
    "1",
    "--batch_size",
    "64",
    "--h1",
    "16",
    "--h2",
    "16",
    "--out_dim",
    "8",
    "--id_dim",
    "8",
    "--threads",
    "2",
    "--quiet",
    "--lr",
    "0.01"
  };

  static String[] with(String[] base, String... more) {
    String[] all = new String[base.length + more.length];
    System.arraycopy(more, 0, all, 0, more.length);
    System.arraycopy(base, 0, all, more.length, base.length);
    return all;
  }

  @BeforeAll
  static void prepareAndTrain() {
    data = shared.resolve("tiny");
    Result prep =
        run("prep", "synthetic", "--preset", "tiny", "--seed", "3", "--out", data.toString());
    assertEquals(0, prep.code(), prep.err());
    model = shared.resolve("m.sbcnm");
    Result train =
        run(with(SMALL, "train", "--data", data.toString(), "--save_path", model.toString()));
    assertEquals(0, train.code(), train.err());
  }

  @Test
  void trainWritesMetricsJsonWithEveryKey() throws IOException {
    Path json = dir.resolve("metrics.json");
    Path jsonl = dir.resolve("epochs.jsonl");
    Result r =
        run(
            with(
                SMALL,
                "train",
                "--data",
                data.toString(),
                "--save_path",
                dir.resolve("a.sbcnm").toString(),
                "--metrics_json",
                json.toString(),
                "--metrics_jsonl",
                jsonl.toString(),
                "--query_tower",
                "id",
                "--use_gcn"));
    assertEquals(0, r.code(), r.err());
    JsonNode m = new ObjectMapper().readTree(json.toFile());
    for (String key :
        List.of(
            "recall@10",
            "recall@50",
            "recall@100",
            "ndcg@10",
            "ndcg@50",
            "ndcg@100",
            "train_examples_per_second",
            "epochs",
            "train_seconds")) {
      assertTrue(m.has(key), "missing " + key + " in " + m);
    }
    assertEquals(1, Files.readAllLines(jsonl).size());
    assertTrue(r.out().contains("recall@50"), r.out());
  }

  @Test
  void benchTrainReportsRatePhasesAndHowTheTowersRan() throws IOException {
    Path json = dir.resolve("bench.json");
    Result r =
        run(
            "bench-train",
            "--data",
            data.toString(),
            "--steps",
            "4",
            "--warmup",
            "2",
            "--batch_size",
            "64",
            "--threads",
            "2",
            "--json",
            json.toString());
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("towers side by side"), r.out());
    JsonNode m = new ObjectMapper().readTree(json.toFile());
    assertEquals(4, m.get("steps_measured").asInt());
    assertTrue(m.get("examples_per_second").asDouble() > 0, m.toString());
    assertTrue(m.get("towers_side_by_side").asBoolean(), m.toString());
    double shares = 0;
    for (JsonNode share : m.get("phase_share")) {
      shares += share.asDouble();
    }
    assertEquals(1.0, shares, 1e-9, m.toString());
    // A history tower pools the item tower's ID table: the towers share a parameter.
    Result pooled =
        run(
            "bench-train",
            "--data",
            data.toString(),
            "--steps",
            "2",
            "--warmup",
            "1",
            "--batch_size",
            "64",
            "--threads",
            "2",
            "--query_tower",
            "history",
            "--item_tower",
            "id");
    assertEquals(0, pooled.code(), pooled.err());
    assertTrue(pooled.out().contains("towers one after the other"), pooled.out());
  }

  @Test
  void originalFiveFlagsAndResume() {
    Path ckpt = dir.resolve("b.sbcnm");
    String[] files = {
      "--q_feats_npy",
      data.resolve("q_feats.npy").toString(),
      "--q_idmap_csv",
      data.resolve("q_idmap.csv").toString(),
      "--i_feats_npy",
      data.resolve("i_feats.npy").toString(),
      "--i_idmap_csv",
      data.resolve("i_idmap.csv").toString(),
      "--inter_csv",
      data.resolve("interactions.csv").toString()
    };
    Result r =
        run(
            with(
                with(
                    SMALL,
                    "--save_path",
                    ckpt.toString(),
                    "--no_bias_correction",
                    "--use_dcn_query",
                    "--cross_layers",
                    "1"),
                with(files, "train")));
    assertEquals(0, r.code(), r.err());
    Result resumed =
        run(with(files, "train", "--save_path", ckpt.toString(), "--resume", "--quiet"));
    assertEquals(0, resumed.code(), resumed.err());
    // A larger --epochs extends the finished run; the run's other settings are its own.
    Result extended =
        run(
            with(
                files,
                "train",
                "--save_path",
                ckpt.toString(),
                "--resume",
                "--epochs",
                "2",
                "--lr",
                "0.5",
                "--quiet"));
    assertEquals(0, extended.code(), extended.err());
    assertTrue(extended.out().startsWith("epoch 2 "), extended.out());
    assertTrue(extended.err().contains("ignoring --lr"), extended.err());
    Result fewer =
        run(with(files, "train", "--save_path", ckpt.toString(), "--resume", "--epochs", "1"));
    assertEquals(2, fewer.code());
    assertTrue(fewer.err().contains("trained 2 epochs already"), fewer.err());
    // The --data form reads more files (side fields, graph): other data, so resuming is refused.
    Result other =
        run(
            "train",
            "--data",
            data.toString(),
            "--save_path",
            ckpt.toString(),
            "--resume",
            "--quiet");
    assertEquals(2, other.code());
    assertTrue(other.err().contains("other data"), other.err());
  }

  /** {@code train} with {@code more}, then {@code opts}. */
  private static String[] train(String[] opts, String... more) {
    return with(with(opts, more), "train");
  }

  @Test
  void initFromStartsANewRunOnOtherDataWithTheSavedSettings() throws IOException {
    Path next = dir.resolve("next");
    Result prep =
        run("prep", "synthetic", "--preset", "tiny", "--seed", "4", "--out", next.toString());
    assertEquals(0, prep.code(), prep.err());
    Path warm = dir.resolve("warm.sbcnm");
    String[] opts = {"--data", next.toString(), "--save_path", warm.toString()};
    Result r =
        run(
            train(
                opts,
                "--init_from",
                model.toString(),
                "--epochs",
                "2",
                "--lr",
                "0.001",
                "--quiet"));
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().startsWith("epoch 1 "), r.out());
    org.sbcnm.engine.io.TensorBundle b = org.sbcnm.engine.io.TensorBundle.read(warm);
    assertEquals("64", b.meta("train.batch_size"), "the saved batch size holds");
    assertEquals("0.001", b.meta("train.lr"));
    assertEquals("2", b.meta("train.epochs"));
    assertEquals(model.toString(), b.meta("warm_start.from"));
    assertEquals("8", b.meta("model.query.id_dim"));

    Result tower = run(train(opts, "--init_from", model.toString(), "--id_dim", "16"));
    assertEquals(2, tower.code());
    assertTrue(tower.err().contains("towers come from the checkpoint"), tower.err());
    Result hashes = run(train(opts, "--init_from", model.toString(), "--hashes", "2"));
    assertEquals(2, hashes.code());
    assertTrue(hashes.err().contains("keeps the saved hashes"), hashes.err());
    Result both = run(train(opts, "--init_from", model.toString(), "--resume"));
    assertEquals(2, both.code());
    assertTrue(both.err().contains("give one of them"), both.err());
    Result reset = run(train(opts, "--reset_estimator"));
    assertEquals(2, reset.code());
    assertTrue(reset.err().contains("goes with --init_from"), reset.err());
    Result missing = run(train(opts, "--init_from", dir.resolve("none.sbcnm").toString()));
    assertEquals(2, missing.code());
    assertTrue(missing.err().contains("no checkpoint at"), missing.err());
  }

  @Test
  void periodsScoresEachVariantOnEveryNextPeriod() throws IOException {
    Path stream = dir.resolve("stream");
    Result prep =
        run(
            "prep",
            "drifting",
            "--users",
            "200",
            "--items",
            "80",
            "--periods",
            "3",
            "--per_period",
            "5",
            "--seed",
            "2",
            "--out",
            stream.toString());
    assertEquals(0, prep.code(), prep.err());
    assertTrue(prep.out().contains("1500 interactions"), prep.out());
    Path out = dir.resolve("periods");
    String[] opts = {
      "--data",
      stream.toString(),
      "--out",
      out.toString(),
      "--query_tower",
      "id",
      "--h1",
      "16",
      "--h2",
      "16",
      "--out_dim",
      "8",
      "--id_dim",
      "8",
      "--threads",
      "2"
    };
    Result r = run(with(opts, "periods", "--variants", "carried,scratch", "--periods", "3"));
    assertEquals(0, r.code(), r.err());
    List<String> csv = Files.readAllLines(out.resolve("periods.csv"));
    assertTrue(
        csv.get(0)
            .startsWith("variant,period,train_interactions,test_cases,train_seconds,recall@10,"),
        csv.get(0));
    assertEquals(5, csv.size(), String.join("\n", csv));
    assertTrue(csv.get(1).startsWith("carried,1,500,"), csv.get(1));
    assertTrue(csv.get(4).startsWith("scratch,2,1000,"), csv.get(4));
    assertTrue(Files.exists(out.resolve("periods.png")));
    assertTrue(r.out().contains("mean recall@50"), r.out());
    assertTrue(Files.notExists(out.resolve("checkpoints")));

    Result both = run(with(opts, "periods", "--periods", "3", "--period_length", "86400"));
    assertEquals(2, both.code());
    assertTrue(both.err().contains("not both"), both.err());
    Result unknown = run(with(opts, "periods", "--variants", "carried,warm"));
    assertEquals(2, unknown.code());
    assertTrue(unknown.err().contains("unknown variant 'warm'"), unknown.err());
    Result tooMany = run(with(opts, "periods", "--period_length", "1"));
    assertEquals(2, tooMany.code());
    assertTrue(tooMany.err().contains("periods"), tooMany.err());
  }

  /** The serve command answers on the port it prints; it runs on, a daemon, until the JVM ends. */
  @Test
  void serveAnswersOnThePortItPrints() throws Exception {
    java.io.PipedReader pipe = new java.io.PipedReader();
    PrintWriter out = new PrintWriter(new java.io.PipedWriter(pipe), true);
    Path served = dir.resolve("served.sbcnm");
    Files.copy(model, served);
    String[] args = {
      "serve",
      "--data",
      data.toString(),
      "--ckpt",
      served.toString(),
      "--port",
      "0",
      "--workers",
      "2",
      "--watch",
      "1"
    };
    Thread t = new Thread(() -> Main.run(args, out, new PrintWriter(new StringWriter(), true)));
    t.setDaemon(true);
    t.start();
    String line = new java.io.BufferedReader(pipe).readLine();
    java.util.regex.Matcher m =
        java.util.regex.Pattern.compile("http://127.0.0.1:(\\d+)/").matcher(line);
    assertTrue(m.find(), line);
    java.net.http.HttpResponse<String> health =
        java.net.http.HttpClient.newHttpClient()
            .send(
                java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create("http://127.0.0.1:" + m.group(1) + "/health"))
                    .build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
    assertEquals(200, health.statusCode());
    assertTrue(health.body().contains("\"status\":\"ok\""), health.body());
    // --watch: a checkpoint written anew (a later modification time) is loaded and swapped in.
    String before = new ObjectMapper().readTree(health.body()).get("model_version").asText();
    Files.setLastModifiedTime(
        served,
        java.nio.file.attribute.FileTime.fromMillis(
            Files.getLastModifiedTime(served).toMillis() + 60_000));
    String now = before;
    for (int tries = 0; tries < 100 && now.equals(before); tries++) {
      Thread.sleep(100);
      now =
          new ObjectMapper()
              .readTree(
                  java.net.http.HttpClient.newHttpClient()
                      .send(
                          java.net.http.HttpRequest.newBuilder(
                                  java.net.URI.create("http://127.0.0.1:" + m.group(1) + "/health"))
                              .build(),
                          java.net.http.HttpResponse.BodyHandlers.ofString())
                      .body())
              .get("model_version")
              .asText();
    }
    assertNotEquals(before, now, "the watcher reloads a changed checkpoint");

    Result bad =
        run("serve", "--data", data.toString(), "--ckpt", model.toString(), "--max_k", "0");
    assertEquals(2, bad.code());
    assertTrue(bad.err().contains("max_k"), bad.err());
    Result missing =
        run("serve", "--data", data.toString(), "--ckpt", dir.resolve("none.sbcnm").toString());
    assertEquals(2, missing.code());
  }

  @Test
  void tuneWritesItsTableAndRefusesToMixTables() throws IOException {
    Path out = dir.resolve("tune");
    Result r =
        run(
            "tune",
            "--data",
            data.toString(),
            "--out",
            out.toString(),
            "--max_trials",
            "1",
            "--max_epochs",
            "1",
            "--threads",
            "1");
    assertEquals(0, r.code(), r.err());
    assertTrue(
        r.out().contains("trial 0: validation recall@50") && r.out().contains("best: trial 0"),
        r.out());
    assertEquals(2, Files.readAllLines(out.resolve("trials.csv")).size());
    assertTrue(Files.readString(out.resolve("best.txt")).startsWith("--query_tower "));
    Result again = run("tune", "--data", data.toString(), "--out", out.toString());
    assertEquals(2, again.code());
    assertTrue(again.err().contains("give --resume"), again.err());
    Result noTable =
        run("tune", "--data", data.toString(), "--out", dir.resolve("none").toString(), "--resume");
    assertEquals(2, noTable.code());
    assertTrue(noTable.err().contains("no trials.csv"), noTable.err());
    Result more =
        run(
            "tune",
            "--data",
            data.toString(),
            "--out",
            out.toString(),
            "--resume",
            "--max_trials",
            "2",
            "--max_epochs",
            "1",
            "--threads",
            "1");
    assertEquals(0, more.code(), more.err());
    assertTrue(more.out().contains("trial 1:") && !more.out().contains("trial 0:"), more.out());
  }

  @Test
  void evalExportRetrieveCompare() throws IOException {
    Result eval = run("eval", "--data", data.toString(), "--ckpt", model.toString(), "--k", "5,20");
    assertEquals(0, eval.code(), eval.err());
    assertTrue(
        eval.out().contains("popularity")
            && eval.out().contains("random")
            && eval.out().contains("recall@20"),
        eval.out());

    // The tuned baselines, by name, each saying what validation chose; an unknown one refused.
    Result tuned =
        run(
            "eval",
            "--data",
            data.toString(),
            "--ckpt",
            model.toString(),
            "--k",
            "5,20",
            "--baselines",
            "ease,itemknn,popularity");
    assertEquals(0, tuned.code(), tuned.err());
    String[] lines = tuned.out().split("\n");
    assertTrue(lines[2].startsWith("popularity") && lines[3].startsWith("itemknn"), tuned.out());
    assertTrue(lines[4].startsWith("ease") && !tuned.out().contains("random"), tuned.out());
    assertTrue(
        tuned.err().contains("ease: lambda=")
            && tuned.err().contains("chosen by validation recall@20"),
        tuned.err());
    Result unknown =
        run("eval", "--data", data.toString(), "--ckpt", model.toString(), "--baselines", "svd");
    assertEquals(2, unknown.code());
    assertTrue(unknown.err().contains("--baselines: unknown baseline 'svd'"), unknown.err());

    Path export = dir.resolve("export");
    assertEquals(
        0,
        run(
                "export",
                "--data",
                data.toString(),
                "--ckpt",
                model.toString(),
                "--out",
                export.toString(),
                "--hnsw")
            .code());
    assertTrue(
        Files.exists(export.resolve("item_embeddings.npy"))
            && Files.exists(export.resolve("i_idmap.csv"))
            && Files.exists(export.resolve("items.sbcnm-index"))
            && Files.exists(export.resolve("items-hnsw.sbcnm-index")));
    // The original flags: --ckpt_path, and --use_faiss 1 (HNSW too) or 0 (exact only).
    for (String faiss : new String[] {"0", "1", "2"}) {
      Path out = dir.resolve("export-faiss" + faiss);
      Result r =
          run(
              "export_index_real",
              "--data",
              data.toString(),
              "--ckpt_path",
              model.toString(),
              "--out",
              out.toString(),
              "--use_faiss",
              faiss);
      assertEquals(faiss.equals("2") ? 2 : 0, r.code(), r.err());
      assertEquals(faiss.equals("1"), Files.exists(out.resolve("items-hnsw.sbcnm-index")));
    }

    String user = Files.readAllLines(data.resolve("q_idmap.csv")).get(1).split(",")[0];
    Result ret =
        run(
            "retrieve",
            "--data",
            data.toString(),
            "--ckpt",
            model.toString(),
            "--user",
            user,
            "--k",
            "4",
            "--format",
            "json");
    assertEquals(0, ret.code(), ret.err());
    JsonNode rows = new ObjectMapper().readTree(ret.out());
    assertEquals(4, rows.size());
    assertEquals(user, rows.get(0).get("user_id").asText());
    // The exported query embedding of the user, against the exported item embeddings, gives the
    // scores retrieve gave (the default model's history tower reads the user's training items).
    Tensor queries = Npy.readFloat32(export.resolve("query_embeddings.npy"));
    Tensor items = Npy.readFloat32(export.resolve("item_embeddings.npy"));
    assertEquals(
        Files.readAllLines(data.resolve("q_idmap.csv")),
        Files.readAllLines(export.resolve("q_idmap.csv")));
    List<String> itemIds = Files.readAllLines(export.resolve("i_idmap.csv"));
    int userRow =
        Integer.parseInt(Files.readAllLines(data.resolve("q_idmap.csv")).get(1).split(",")[1]);
    for (JsonNode row : rows) {
      int item = -1;
      for (int k = 1; k < itemIds.size(); k++) {
        if (itemIds.get(k).startsWith(row.get("item_id").asText() + ",")) {
          item = Integer.parseInt(itemIds.get(k).split(",")[1]);
        }
      }
      double dot = 0;
      for (int c = 0; c < items.cols(); c++) {
        dot += queries.get(userRow, c) * items.get(item, c);
      }
      assertEquals(row.get("score").asDouble(), dot, 1e-5, row.toString());
    }
    // The exported exact index gives the same answer; the HNSW one (tiny catalogue, ef = 50) too.
    Result viaIndex =
        run(
            "retrieve",
            "--data",
            data.toString(),
            "--ckpt",
            model.toString(),
            "--user",
            user,
            "--k",
            "4",
            "--format",
            "json",
            "--index",
            export.resolve("items.sbcnm-index").toString());
    assertEquals(ret.out(), viaIndex.out());
    Result viaHnsw =
        run(
            "retrieve",
            "--data",
            data.toString(),
            "--ckpt",
            model.toString(),
            "--user",
            user,
            "--k",
            "4",
            "--format",
            "json",
            "--index",
            export.resolve("items-hnsw.sbcnm-index").toString(),
            "--ef",
            "50");
    assertEquals(0, viaHnsw.code(), viaHnsw.err());
    assertEquals(
        rows.get(0).get("item_id"),
        new ObjectMapper().readTree(viaHnsw.out()).get(0).get("item_id"));
    Result evalHnsw =
        run(
            "eval",
            "--data",
            data.toString(),
            "--ckpt",
            model.toString(),
            "--k",
            "10",
            "--hnsw",
            "--hnsw_ef",
            "20");
    assertEquals(0, evalHnsw.code(), evalHnsw.err());
    assertTrue(
        evalHnsw.out().contains("hnsw_ef20_recall@10") && evalHnsw.out().contains("gini@10"),
        evalHnsw.out());
    Result csv =
        run(
            "retrieve",
            "--data",
            data.toString(),
            "--ckpt",
            model.toString(),
            "--user",
            user,
            "--k",
            "2",
            "--format",
            "csv");
    assertTrue(csv.out().startsWith("user_id,rank,item_id,score"), csv.out());

    Path report = dir.resolve("report");
    Result cmp =
        run(
            "compare",
            "--data",
            data.toString(),
            "--ckpt",
            "a=" + model,
            "--ckpt",
            "b=" + model,
            "--out",
            report.toString(),
            "--max_k",
            "20");
    assertEquals(0, cmp.code(), cmp.err());
    String md = Files.readString(report.resolve("report.md"));
    assertTrue(
        md.contains("| a |")
            && md.contains("| popularity |")
            && md.contains("recall_at_k.svg")
            && md.contains("recall_by_popularity.svg")
            && md.contains("coverage@10"),
        md);
    assertTrue(Files.size(report.resolve("recall_at_k.png")) > 1000);
    // The β sweep: one row per β and checkpoint, β = 0 being the model as evaluated above.
    assertTrue(md.contains("recall_vs_coverage.svg"), md);
    assertEquals(7, md.lines().filter(l -> l.startsWith("| a | ")).count() - 1, md);
    assertTrue(md.contains("| a | 0.0 | "), md);
    assertTrue(Files.size(report.resolve("recall_vs_coverage.png")) > 1000);
    assertTrue(Files.readString(report.resolve("recall_at_k.svg")).contains("<svg"));
  }

  @Test
  void anUnseenUserIsServedFromItsHashedIdsBucket() throws IOException {
    Path hashed = dir.resolve("hashed.sbcnm");
    Result train =
        run(
            with(
                SMALL,
                "train",
                "--data",
                data.toString(),
                "--query_tower",
                "id",
                "--id_hash_buckets",
                "256",
                "--save_path",
                hashed.toString()));
    assertEquals(0, train.code(), train.err());
    String[] retrieve = {
      "retrieve",
      "--data",
      data.toString(),
      "--k",
      "3",
      "--format",
      "csv",
      "--user",
      "never-seen-42"
    };
    Result served =
        run(with(new String[] {"--ckpt", hashed.toString(), "--user_side", "1,0,2"}, retrieve));
    assertEquals(0, served.code(), served.err());
    List<String> lines = served.out().lines().toList();
    assertEquals(4, lines.size(), served.out());
    assertTrue(lines.get(1).startsWith("never-seen-42,1,"), served.out());

    Result noSide = run(with(new String[] {"--ckpt", hashed.toString()}, retrieve));
    assertEquals(2, noSide.code());
    assertTrue(noSide.err().contains("--user_side"), noSide.err());
    Result notHashed = run(with(new String[] {"--ckpt", model.toString()}, retrieve));
    assertEquals(2, notHashed.code());
    assertTrue(notHashed.err().contains("--history"), notHashed.err());
  }

  @Test
  void anUnseenUserIsServedFromTheItemsTheyInteractedWith() throws IOException {
    // A known user's training items (all but the latest) and side codes, given as a new user's:
    // the default model's history tower serves the same list with the same scores.
    List<String> lines = Files.readAllLines(data.resolve("interactions.csv"));
    String user = lines.get(1).split(",")[0];
    List<String> items = new java.util.ArrayList<>();
    for (String line : lines.subList(1, lines.size())) {
      String[] f = line.split(",");
      if (f[0].equals(user)) {
        items.add(f[1]); // the file is in time order
      }
    }
    items.remove(items.size() - 1);
    int row = -1;
    for (String line : Files.readAllLines(data.resolve("q_idmap.csv"))) {
      if (line.startsWith(user + ",")) {
        row = Integer.parseInt(line.split(",")[1]);
      }
    }
    long[] codes = Npy.read(data.resolve("q_side_cat.npy")).toLongs();
    int fields = 3; // the synthetic side fields, of 7, 2 and 21 codes
    String side =
        codes[row * fields] + "," + codes[row * fields + 1] + "," + codes[row * fields + 2];
    String[] common = {
      "retrieve",
      "--data",
      data.toString(),
      "--ckpt",
      model.toString(),
      "--k",
      "5",
      "--format",
      "csv"
    };
    Result known = run(with(new String[] {"--user", user}, common));
    Result described =
        run(
            with(
                new String[] {
                  "--user", "newcomer", "--history", String.join(",", items), "--user_side", side
                },
                common));
    assertEquals(0, described.code(), described.err());
    assertEquals(
        known.out().replace(user + ",", "newcomer,"), described.out(), "same items, same scores");
    // Their own items are not recommended back.
    for (String item : items) {
      assertFalse(described.out().contains("," + item + ","), item);
    }
    Result unknownItem =
        run(with(new String[] {"--user", "newcomer", "--history", "nope"}, common));
    assertEquals(2, unknownItem.code());
    assertTrue(unknownItem.err().contains("--history: item 'nope'"), unknownItem.err());
  }

  @Test
  void noCommandWritesOverItsInputs() throws IOException {
    byte[] checkpoint = Files.readAllBytes(model);
    Result eval =
        run(
            "eval",
            "--data",
            data.toString(),
            "--ckpt",
            model.toString(),
            "--metrics_json",
            model.toString());
    assertEquals(2, eval.code(), eval.err());
    assertTrue(eval.err().contains("--metrics_json") && eval.err().contains("inputs"), eval.err());
    assertTrue(java.util.Arrays.equals(checkpoint, Files.readAllBytes(model)));

    Path features = data.resolve("q_feats.npy");
    byte[] before = Files.readAllBytes(features);
    // The same file by another name: relative, with a dot segment.
    Path aliased = data.resolve(".").resolve("q_feats.npy");
    Result train =
        run(with(SMALL, "train", "--data", data.toString(), "--save_path", aliased.toString()));
    assertEquals(2, train.code(), train.err());
    assertTrue(train.err().contains("--save_path"), train.err());
    assertTrue(java.util.Arrays.equals(before, Files.readAllBytes(features)));

    byte[] idmap = Files.readAllBytes(data.resolve("i_idmap.csv"));
    Result export =
        run(
            "export",
            "--data",
            data.toString(),
            "--ckpt",
            model.toString(),
            "--out",
            data.toString());
    assertEquals(2, export.code(), export.err());
    assertTrue(java.util.Arrays.equals(idmap, Files.readAllBytes(data.resolve("i_idmap.csv"))));
  }

  @Test
  void simulateInfoAndQuickstart() throws IOException {
    Path sim = dir.resolve("sim");
    Result s =
        run(
            "simulate-estimator",
            "--out",
            sim.toString(),
            "--steps",
            "600",
            "--switch_at",
            "300",
            "--every",
            "100");
    assertEquals(0, s.code(), s.err());
    assertEquals(7, Files.readAllLines(sim.resolve("estimator_error.csv")).size());
    assertTrue(
        Files.exists(sim.resolve("error_by_alpha.svg"))
            && Files.exists(sim.resolve("error_by_hashes.png")));
    Result info = run("info");
    assertTrue(info.out().contains("kernels") && info.out().contains("vector width"), info.out());
    Result q =
        run(
            "quickstart",
            "--work_dir",
            dir.resolve("qs").toString(),
            "--preset",
            "tiny",
            "--epochs",
            "1",
            "--quiet");
    assertEquals(0, q.code(), q.err());
    assertTrue(
        q.out().contains("corrected")
            && q.out().contains("uncorrected")
            && q.out().contains("ndcg@100"),
        q.out());
  }

  @Test
  void badInputExitsTwoWithOneLineAndNoStackTrace() throws IOException {
    Result missing = run("train", "--data", dir.resolve("nope").toString(), "--quiet");
    assertEquals(2, missing.code());
    assertTrue(missing.err().contains("nope") && !missing.err().contains("\tat "), missing.err());

    Path target = dir.resolve("bogus.sbcnm");
    Result kind =
        run(
            "train",
            "--data",
            data.toString(),
            "--query_tower",
            "bogus",
            "--quiet",
            "--save_path",
            target.toString());
    assertEquals(2, kind.code());
    assertTrue(kind.err().contains("--query_tower must be one of"), kind.err());
    assertFalse(
        Files.exists(org.sbcnm.engine.io.WriterLock.lockFile(target)),
        "bad flags are refused before anything is written");

    Result user =
        run("retrieve", "--data", data.toString(), "--ckpt", model.toString(), "--user", "nobody");
    assertEquals(2, user.code());
    assertTrue(user.err().contains("'nobody'"), user.err());

    Path broken = dir.resolve("broken.sbcnm");
    Files.write(broken, Files.readAllBytes(model), java.nio.file.StandardOpenOption.CREATE);
    byte[] b = Files.readAllBytes(broken);
    Files.write(broken, java.util.Arrays.copyOf(b, b.length / 2));
    Result bad = run("eval", "--data", data.toString(), "--ckpt", broken.toString());
    assertEquals(2, bad.code());
    assertTrue(bad.err().contains("broken.sbcnm"), bad.err());

    Result verbose =
        run("eval", "--data", data.toString(), "--ckpt", broken.toString(), "--verbose");
    assertTrue(verbose.err().contains("\tat "), "--verbose shows the stack trace");

    Result usage = run("train", "--epochs", "notanumber");
    assertEquals(2, usage.code());
  }

  @Test
  void badCsvLeavesNothingBehind() throws IOException {
    Path csv = dir.resolve("events.csv");
    Files.writeString(
        csv,
        "user,item,stars\r\nu1,i1,5\r\nu2,\"i,2\",4\r\nu3,i3,lots\r\n",
        StandardCharsets.UTF_8);
    Path out = dir.resolve("out");
    Result r =
        run(
            "prep",
            "csv",
            "--interactions",
            csv.toString(),
            "--user_col",
            "user",
            "--item_col",
            "item",
            "--rating_col",
            "stars",
            "--out",
            out.toString());
    assertEquals(2, r.code());
    assertTrue(
        r.err().contains("events.csv:4") && r.err().contains("'stars'") && r.err().contains("lots"),
        r.err());
    assertFalse(Files.exists(out));
    Files.writeString(
        csv,
        "user,item,stars\r\nu1,i1,5\r\nu2,\"i,2\",4\r\nu3,i3,2\r\nu1,\"i,2\",3\r\n",
        StandardCharsets.UTF_8);
    Result ok =
        run(
            "prep",
            "csv",
            "--interactions",
            csv.toString(),
            "--user_col",
            "user",
            "--item_col",
            "item",
            "--rating_col",
            "stars",
            "--min_rating",
            "3",
            "--out",
            out.toString());
    assertEquals(0, ok.code(), ok.err());
    List<String> lines = Files.readAllLines(out.resolve("interactions.csv"));
    assertEquals(
        List.of(
            "user_id,item_id,rating,timestamp", "u1,i1,5,2", "u2,\"i,2\",4,3", "u1,\"i,2\",3,5"),
        lines);
  }

  @Test
  void sideFieldWidthIsAnOption() throws IOException {
    Path ckpt = dir.resolve("side.sbcnm");
    Result r =
        run(
            with(
                SMALL,
                "train",
                "--data",
                data.toString(),
                "--query_tower",
                "id",
                "--side_dim",
                "3",
                "--save_path",
                ckpt.toString()));
    assertEquals(0, r.code(), r.err());
    org.sbcnm.engine.io.TensorBundle b = org.sbcnm.engine.io.TensorBundle.read(ckpt);
    assertEquals(3, b.shape("param/query.side.0")[1]);
    assertEquals("3", b.meta("model.query.side_dim"));
  }
}
