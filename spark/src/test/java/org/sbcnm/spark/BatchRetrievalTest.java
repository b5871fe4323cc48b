package org.sbcnm.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sbcnm.datasets.prepared.Interactions;
import org.sbcnm.datasets.prepared.PreparedDataset;
import org.sbcnm.datasets.split.HeldOutSplit;
import org.sbcnm.datasets.synthetic.SyntheticConfig;
import org.sbcnm.datasets.synthetic.SyntheticGenerator;
import org.sbcnm.engine.tensor.Tensor;
import org.sbcnm.towers.config.ModelConfig;
import org.sbcnm.towers.config.TowerConfig;
import org.sbcnm.towers.config.TowerKind;
import org.sbcnm.training.eval.QueryEncoder;
import org.sbcnm.training.eval.RetrievalMetrics;
import org.sbcnm.training.loop.TrainConfig;
import org.sbcnm.training.loop.Trainer;
import org.sbcnm.training.retrieval.ExactIndex;
import org.sbcnm.training.retrieval.Exclusions;

/**
 * Batch inference on local[2] against one JVM: the exact index's top lists item for item (scores to
 * the bit), and {@code eval}'s Recall/NDCG@K, with the catalogue broadcast and cut into blocks.
 */
class BatchRetrievalTest {
  private static final int K = 20;
  private static final int[] EVAL_KS = {5, 10, 50, 400};

  @TempDir static Path dir;
  private static SparkSession spark;
  private static Path data;
  private static PreparedDataset dataset;

  /** A history query tower (bags of training items) over an ID item tower. */
  private static OneJvm history;

  /** An ID query tower that also reads the dense user features (two parts, concatenated). */
  private static OneJvm denseIds;

  /**
   * What one JVM computes from a checkpoint: every user's top K by the exact index (training items
   * left out), and eval's ranks of the held-out items (by test user order) and metrics.
   */
  private record OneJvm(
      Path ckpt, int[] items, float[] scores, int[] ranks, Map<String, Double> metrics) {}

  @BeforeAll
  static void trainAndScoreInOneJvm() throws IOException {
    spark = LocalSpark.get();
    // 5,000 items: more than two of the exact index's 2,048-item scoring blocks.
    PreparedDataset d =
        SyntheticGenerator.generate(SyntheticConfig.preset("tiny", 7).withSize(500, 5000));
    dataset = withRepeats(d);
    data = dir.resolve("data");
    dataset.writeAtomically(data);
    dataset = PreparedDataset.read(data, false);
    TowerConfig item = TowerConfig.defaults(TowerKind.ID).withWidths(32, 32, 16).withIdDim(16);
    history =
        oneJvm(
            train(
                TowerConfig.defaults(TowerKind.HISTORY).withWidths(32, 32, 16).withIdDim(16),
                item,
                "history.sbcnm"));
    denseIds =
        oneJvm(
            train(
                TowerConfig.defaults(TowerKind.ID)
                    .withWidths(32, 32, 16)
                    .withIdDim(16)
                    .withDense(true),
                item,
                "dense-ids.sbcnm"));
  }

  private static Path train(TowerConfig q, TowerConfig i, String name) throws IOException {
    Path ckpt = dir.resolve(name);
    TrainConfig c =
        TrainConfig.builder()
            .epochs(3)
            .batchSize(128)
            .seed(3)
            .hashBuckets(1 << 12)
            .threads(2)
            .build();
    Trainer.create(dataset, new ModelConfig(q, i, 0.05, 3), c, null, ckpt, null)
        .run(new Trainer.Listener() {});
    return ckpt;
  }

  private static OneJvm oneJvm(Path ckpt) throws IOException {
    LoadedModel model = LoadedModel.load(Files.readAllBytes(ckpt), data.toString());
    HeldOutSplit split = HeldOutSplit.of(dataset.interactions(), dataset.numUsers());
    int users = dataset.numUsers();
    Tensor queries = QueryEncoder.embedAll(model.model(), model.encoder(), users);
    Tensor items = model.model().itemEmbeddings();
    int[] all = new int[users];
    Arrays.setAll(all, u -> u);
    int[] top = new int[users * K];
    float[] scores = new float[users * K];
    new ExactIndex(items)
        .search(
            queries,
            K,
            Exclusions.ofUsers(split.userTrainPtr(), split.userTrainItems(), all, 0, users),
            top,
            scores);
    int[] ranks = RetrievalMetrics.ranks(model.model(), split, items, model.encoder(), null);
    return new OneJvm(ckpt, top, scores, ranks, RetrievalMetrics.fromRanks(ranks, EVAL_KS));
  }

  /**
   * The data with a repeated interaction closing the history of every tenth user, at the time of
   * its last event: their held-out item is also a training item (ranked, but never recommended),
   * chosen by line order.
   */
  private static PreparedDataset withRepeats(PreparedDataset d) {
    Interactions a = d.interactions();
    int n = a.size();
    int[] firstItem = new int[d.numUsers()];
    long[] lastTime = new long[d.numUsers()];
    Arrays.fill(firstItem, -1);
    for (int k = 0; k < n; k++) {
      int u = a.user(k);
      if (firstItem[u] < 0) {
        firstItem[u] = a.item(k);
      }
      lastTime[u] = Math.max(lastTime[u], a.timestamp(k));
    }
    int extra = (d.numUsers() + 9) / 10;
    int[] us = Arrays.copyOf(a.users(), n + extra);
    int[] is = Arrays.copyOf(a.items(), n + extra);
    float[] rs = Arrays.copyOf(a.ratings(), n + extra);
    long[] ts = Arrays.copyOf(a.timestamps(), n + extra);
    for (int e = 0; e < extra; e++) {
      int u = e * 10;
      us[n + e] = u;
      is[n + e] = firstItem[u];
      rs[n + e] = 1;
      // The same instant as the user's last event: the later line wins the tie.
      ts[n + e] = lastTime[u];
    }
    return new PreparedDataset(
        d.queryFeatures(),
        d.itemFeatures(),
        d.users(),
        d.items(),
        new Interactions(us, is, rs, ts),
        null,
        null,
        null,
        "");
  }

  private static BatchRetrieval.Result run(OneJvm model, int itemBlocks, String out)
      throws IOException {
    return run(model, itemBlocks, 3, out);
  }

  private static BatchRetrieval.Result run(OneJvm model, int itemBlocks, int partitions, String out)
      throws IOException {
    return Sbcnm.on(spark)
        .recommend(
            new BatchRetrieval.Spec(
                data.toString(),
                model.ckpt().toString(),
                K,
                EVAL_KS,
                itemBlocks,
                partitions,
                dir.resolve(out).toString(),
                false,
                itemBlocks > 1));
  }

  private static void assertSameAsOneJvm(OneJvm o, BatchRetrieval.Result r, String out) {
    int users = dataset.numUsers();
    assertEquals(users, r.users());
    HeldOutSplit split = HeldOutSplit.of(dataset.interactions(), users);
    assertEquals(split.testSize(), r.testUsers());
    List<Row> rows = spark.read().parquet(dir.resolve(out).toString()).collectAsList();
    assertEquals(users, rows.size());
    int[] rankOf = new int[users];
    Arrays.fill(rankOf, -1);
    for (int t = 0; t < split.testSize(); t++) {
      rankOf[split.testUsers()[t]] = o.ranks()[t];
    }
    int length = Math.max(K, Arrays.stream(EVAL_KS).max().getAsInt() + 1);
    int exactRanks = 0;
    for (Row row : rows) {
      int u = dataset.users().indexOf(row.getString(0));
      List<String> ids = row.getList(1);
      List<Float> scores = row.getList(2);
      int n = 0;
      while (n < K && o.items()[u * K + n] >= 0) {
        n++;
      }
      assertEquals(n, ids.size(), "list length of user " + u);
      for (int j = 0; j < n; j++) {
        assertEquals(
            dataset.items().rawId(o.items()[u * K + j]), ids.get(j), "user " + u + " item " + j);
        assertEquals(
            Float.floatToIntBits(o.scores()[u * K + j]),
            Float.floatToIntBits(scores.get(j)),
            "user " + u + " score " + j);
      }
      if (rankOf[u] < 0) {
        assertTrue(row.isNullAt(3), "user " + u + " has no held-out item");
      } else if (rankOf[u] < length - 1) {
        assertEquals(rankOf[u], row.getInt(3), "rank of user " + u);
        exactRanks++;
      } else {
        assertEquals(length - 1, row.getInt(3), "capped rank of user " + u);
      }
    }
    // Enough held-out items rank inside the list for the comparison to mean something.
    assertTrue(exactRanks >= 50, "ranks below the cap: " + exactRanks);
    assertTrue(o.metrics().get("recall@10") > 0);
    for (int cut : EVAL_KS) {
      assertEquals(o.metrics().get("recall@" + cut), r.metrics().get("recall@" + cut), 0);
      assertEquals(o.metrics().get("ndcg@" + cut), r.metrics().get("ndcg@" + cut), 1e-12);
      assertEquals(
          String.format(Locale.ROOT, "%.4f", o.metrics().get("ndcg@" + cut)),
          String.format(Locale.ROOT, "%.4f", r.metrics().get("ndcg@" + cut)));
    }
  }

  @Test
  void broadcastCatalogueEqualsOneJvm() throws IOException {
    assertSameAsOneJvm(history, run(history, 1, "broadcast"), "broadcast");
  }

  @Test
  void blockedCatalogueEqualsOneJvm() throws IOException {
    BatchRetrieval.Result r = run(history, 3, "blocks");
    assertSameAsOneJvm(history, r, "blocks");
    assertEquals(3, r.itemBlocks());
    assertTrue(r.seconds().get("task_merge") > 0, "partial lists were merged");
    assertTrue(r.seconds().get("shuffle_megabytes") > 0, "partial lists were shuffled");
    assertTrue(r.seconds().get("task_score") > 0, "the profile timed the scoring");
  }

  @Test
  void towersOfSeveralPartsEmbedConcurrentlyAsInOneJvm() throws IOException {
    // A tower of two concatenated parts, through 100 partitions of 5 users on both task threads.
    // (Whether two threads' parts mix is caught reliably by chunksEmbedFromTwoThreadsAsFromOne;
    // here the tasks rarely overlap.)
    assertSameAsOneJvm(denseIds, run(denseIds, 1, 100, "dense-ids"), "dense-ids");
  }

  @Test
  void chunksEmbedFromTwoThreadsAsFromOne() throws Exception {
    // What two task threads of one executor do, without Spark's scheduling between them.
    LoadedModel m = LoadedModel.load(Files.readAllBytes(denseIds.ckpt()), data.toString());
    int users = dataset.numUsers();
    Tensor expected = QueryEncoder.embedAll(m.model(), m.encoder(), users);
    java.util.concurrent.ExecutorService pool =
        java.util.concurrent.Executors.newFixedThreadPool(2);
    try {
      List<java.util.concurrent.Future<Integer>> done = new java.util.ArrayList<>();
      for (int thread = 0; thread < 2; thread++) {
        done.add(
            pool.submit(
                () -> {
                  int wrong = 0;
                  for (int round = 0; round < 20; round++) {
                    for (int from = 0; from < users; from += 7) {
                      List<Row> rows = new java.util.ArrayList<>();
                      for (int u = from; u < Math.min(users, from + 7); u++) {
                        rows.add(org.apache.spark.sql.RowFactory.create((long) u, null, null));
                      }
                      QueryChunk q = QueryChunk.embed(0, rows, m);
                      for (int r = 0; r < rows.size(); r++) {
                        for (int c = 0; c < q.dim; c++) {
                          if (q.queries[r * q.dim + c] != expected.get(from + r, c)) {
                            wrong++;
                          }
                        }
                      }
                    }
                  }
                  return wrong;
                }));
      }
      for (java.util.concurrent.Future<Integer> f : done) {
        assertEquals(0, f.get(), "embedding values that differ from one thread's");
      }
    } finally {
      pool.shutdown();
    }
  }

  @Test
  void theBroadcastCheckpointLeavesTheOptimiserStateBehind() throws IOException {
    byte[] slim = LoadedModel.forInference(history.ckpt()).bytes();
    // Adam keeps two moments a parameter: the slim checkpoint is about a third of the file.
    assertTrue(slim.length < Files.size(history.ckpt()) / 2, slim.length + " bytes");
    Path copy = dir.resolve("slim.sbcnm");
    Files.write(copy, slim);
    assertTrue(
        org.sbcnm.engine.io.TensorBundle.read(copy).meta("optimizer.steps") != null,
        "settings stay");
  }

  @Test
  void repeatedHeldOutItemsAreRankedButNotRecommended() throws IOException {
    // User 0 closes with a repeat of its first item: eval ranks it, the list leaves it out.
    HeldOutSplit split = HeldOutSplit.of(dataset.interactions(), dataset.numUsers());
    int t = Arrays.binarySearch(split.testUsers(), 0);
    int target = split.testItems()[t];
    int p = split.userTrainPtr()[0];
    assertTrue(
        Arrays.binarySearch(split.userTrainItems(), p, split.userTrainPtr()[1], target) >= 0,
        "user 0's held-out item is a training item too");
    run(history, 1, "repeats");
    Row row =
        spark
            .read()
            .parquet(dir.resolve("repeats").toString())
            .where("user_id = '" + dataset.users().rawId(0) + "'")
            .first();
    assertFalse(row.getList(1).contains(dataset.items().rawId(target)));
    assertEquals(Math.min(history.ranks()[t], 400), row.getInt(3));
  }

  @Test
  void commandWritesParquetAndMetricsJsonAndRefusesToOverwriteTheData() throws IOException {
    Path out = dir.resolve("cli");
    Path json = dir.resolve("metrics.json");
    StringWriter o = new StringWriter();
    StringWriter e = new StringWriter();
    int code =
        recommend(
            o,
            e,
            "--data",
            data.toString(),
            "--ckpt",
            history.ckpt().toString(),
            "--k",
            "10",
            "--eval_k",
            "10",
            "--out",
            out.toString(),
            "--metrics_json",
            json.toString());
    assertEquals(0, code, e.toString());
    assertTrue(
        o.toString()
            .contains(
                String.format(Locale.ROOT, "recall@10  %.4f", history.metrics().get("recall@10"))),
        o.toString());
    assertTrue(Files.readString(json).contains("\"recall@10\""));
    assertTrue(o.toString().contains("catalogue broadcast"), "0 blocks chose: " + o);
    assertEquals(10, spark.read().parquet(out.toString()).first().getList(1).size());

    e = new StringWriter();
    code =
        recommend(
            new StringWriter(),
            e,
            "--data",
            data.toString(),
            "--ckpt",
            history.ckpt().toString(),
            "--out",
            out.toString());
    assertEquals(2, code);
    assertTrue(e.toString().contains("already exists"), e.toString());

    e = new StringWriter();
    code =
        recommend(
            new StringWriter(),
            e,
            "--data",
            data.toString(),
            "--ckpt",
            history.ckpt().toString(),
            "--out",
            data.resolve("top").toString(),
            "--overwrite");
    assertEquals(2, code);
    assertTrue(e.toString().contains("would overwrite the dataset"), e.toString());
    assertTrue(Files.exists(data.resolve(PreparedDataset.INTERACTIONS)));
  }

  /** Runs {@code recommend ARGS} as the command line does; returns its exit code. */
  private static int recommend(StringWriter out, StringWriter err, String... args) {
    String[] all = new String[args.length + 1];
    all[0] = "recommend";
    System.arraycopy(args, 0, all, 1, args.length);
    return SparkJobs.run(spark, new PrintWriter(out, true), new PrintWriter(err, true), all);
  }

  @Test
  void aMissingCheckpointExitsTwo() {
    StringWriter e = new StringWriter();
    int code =
        recommend(
            new StringWriter(),
            e,
            "--data",
            data.toString(),
            "--ckpt",
            dir.resolve("nothing.sbcnm").toString(),
            "--out",
            dir.resolve("none").toString());
    assertEquals(2, code);
    assertTrue(e.toString().contains("nothing.sbcnm"), e.toString());
  }
}
