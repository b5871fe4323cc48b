package org.sbcnm.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
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
  private static Path ckpt;
  private static PreparedDataset dataset;
  private static LoadedModel model;

  /** Top K of every user in one JVM: the exact index over all users, training items left out. */
  private static int[] oracleItems;

  private static float[] oracleScores;

  /** eval's ranks of the held-out items, by test user order. */
  private static int[] evalRanks;

  private static Map<String, Double> evalMetrics;

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
    ckpt = dir.resolve("model.sbcnm");
    TowerConfig q = TowerConfig.defaults(TowerKind.HISTORY).withWidths(32, 32, 16).withIdDim(16);
    TowerConfig i = TowerConfig.defaults(TowerKind.ID).withWidths(32, 32, 16).withIdDim(16);
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

    model = LoadedModel.load(Files.readAllBytes(ckpt), data.toString());
    HeldOutSplit split = HeldOutSplit.of(dataset.interactions(), dataset.numUsers());
    int users = dataset.numUsers();
    Tensor queries = QueryEncoder.embedAll(model.model(), model.encoder(), users);
    Tensor items = model.model().itemEmbeddings();
    int[] all = new int[users];
    Arrays.setAll(all, u -> u);
    oracleItems = new int[users * K];
    oracleScores = new float[users * K];
    new ExactIndex(items)
        .search(
            queries,
            K,
            Exclusions.ofUsers(split.userTrainPtr(), split.userTrainItems(), all, 0, users),
            oracleItems,
            oracleScores);
    evalRanks = RetrievalMetrics.ranks(model.model(), split, items, model.encoder(), null);
    evalMetrics = RetrievalMetrics.fromRanks(evalRanks, EVAL_KS);
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

  private static BatchRetrieval.Result run(int itemBlocks, String out) throws IOException {
    return BatchRetrieval.run(
        spark,
        new BatchRetrieval.Spec(
            data.toString(),
            ckpt.toString(),
            K,
            EVAL_KS,
            itemBlocks,
            3,
            dir.resolve(out).toString(),
            false,
            itemBlocks > 1));
  }

  private static void assertSameAsOneJvm(BatchRetrieval.Result r, String out) {
    int users = dataset.numUsers();
    assertEquals(users, r.users());
    HeldOutSplit split = HeldOutSplit.of(dataset.interactions(), users);
    assertEquals(split.testSize(), r.testUsers());
    List<Row> rows = spark.read().parquet(dir.resolve(out).toString()).collectAsList();
    assertEquals(users, rows.size());
    int[] rankOf = new int[users];
    Arrays.fill(rankOf, -1);
    for (int t = 0; t < split.testSize(); t++) {
      rankOf[split.testUsers()[t]] = evalRanks[t];
    }
    int length = Math.max(K, Arrays.stream(EVAL_KS).max().getAsInt() + 1);
    int exactRanks = 0;
    for (Row row : rows) {
      int u = dataset.users().indexOf(row.getString(0));
      List<String> ids = row.getList(1);
      List<Float> scores = row.getList(2);
      int n = 0;
      while (n < K && oracleItems[u * K + n] >= 0) {
        n++;
      }
      assertEquals(n, ids.size(), "list length of user " + u);
      for (int j = 0; j < n; j++) {
        assertEquals(
            dataset.items().rawId(oracleItems[u * K + j]), ids.get(j), "user " + u + " item " + j);
        assertEquals(
            Float.floatToIntBits(oracleScores[u * K + j]),
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
    assertTrue(evalMetrics.get("recall@10") > 0);
    for (int cut : EVAL_KS) {
      assertEquals(evalMetrics.get("recall@" + cut), r.metrics().get("recall@" + cut), 0);
      assertEquals(evalMetrics.get("ndcg@" + cut), r.metrics().get("ndcg@" + cut), 1e-12);
      assertEquals(
          String.format(Locale.ROOT, "%.4f", evalMetrics.get("ndcg@" + cut)),
          String.format(Locale.ROOT, "%.4f", r.metrics().get("ndcg@" + cut)));
    }
  }

  @Test
  void broadcastCatalogueEqualsOneJvm() throws IOException {
    assertSameAsOneJvm(run(1, "broadcast"), "broadcast");
  }

  @Test
  void blockedCatalogueEqualsOneJvm() throws IOException {
    BatchRetrieval.Result r = run(3, "blocks");
    assertSameAsOneJvm(r, "blocks");
    assertTrue(r.seconds().get("task_merge") > 0, "partial lists were merged");
    assertTrue(r.seconds().get("shuffle_megabytes") > 0, "partial lists were shuffled");
    assertTrue(r.seconds().get("task_score") > 0, "the profile timed the scoring");
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
    run(1, "repeats");
    Row row =
        spark
            .read()
            .parquet(dir.resolve("repeats").toString())
            .where("user_id = '" + dataset.users().rawId(0) + "'")
            .first();
    assertFalse(row.getList(1).contains(dataset.items().rawId(target)));
    assertEquals(Math.min(evalRanks[t], 400), row.getInt(3));
  }

  @Test
  void commandWritesParquetAndMetricsJsonAndRefusesToOverwriteTheData() throws IOException {
    Path out = dir.resolve("cli");
    Path json = dir.resolve("metrics.json");
    StringWriter o = new StringWriter();
    StringWriter e = new StringWriter();
    int code =
        SparkJobs.run(
            spark,
            new PrintWriter(o, true),
            new PrintWriter(e, true),
            "recommend",
            "--data",
            data.toString(),
            "--ckpt",
            ckpt.toString(),
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
            .contains(String.format(Locale.ROOT, "recall@10  %.4f", evalMetrics.get("recall@10"))),
        o.toString());
    assertTrue(Files.readString(json).contains("\"recall@10\""));
    assertEquals(10, spark.read().parquet(out.toString()).first().getList(1).size());

    e = new StringWriter();
    code =
        SparkJobs.run(
            spark,
            new PrintWriter(new StringWriter(), true),
            new PrintWriter(e, true),
            "recommend",
            "--data",
            data.toString(),
            "--ckpt",
            ckpt.toString(),
            "--out",
            out.toString());
    assertEquals(2, code);
    assertTrue(e.toString().contains("already exists"), e.toString());

    e = new StringWriter();
    code =
        SparkJobs.run(
            spark,
            new PrintWriter(new StringWriter(), true),
            new PrintWriter(e, true),
            "recommend",
            "--data",
            data.toString(),
            "--ckpt",
            ckpt.toString(),
            "--out",
            data.resolve("top").toString(),
            "--overwrite");
    assertEquals(2, code);
    assertTrue(e.toString().contains("would overwrite the dataset"), e.toString());
    assertTrue(Files.exists(data.resolve(PreparedDataset.INTERACTIONS)));
  }

  @Test
  void aMissingCheckpointExitsTwo() {
    StringWriter e = new StringWriter();
    int code =
        SparkJobs.run(
            spark,
            new PrintWriter(new StringWriter(), true),
            new PrintWriter(e, true),
            "recommend",
            "--data",
            data.toString(),
            "--ckpt",
            dir.resolve("nothing.sbcnm").toString(),
            "--out",
            dir.resolve("none").toString());
    assertEquals(2, code);
    assertTrue(e.toString().contains("nothing.sbcnm"), e.toString());
    assertNull(null);
  }
}
