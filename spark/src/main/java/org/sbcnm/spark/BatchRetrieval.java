package org.sbcnm.spark;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.collect_list;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.monotonically_increasing_id;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.when;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import org.apache.spark.util.LongAccumulator;
import org.sbcnm.datasets.prepared.DatasetException;
import org.sbcnm.datasets.prepared.PreparedDataset;
import org.sbcnm.engine.kernel.Kernels;
import org.sbcnm.engine.kernel.TopK;
import org.sbcnm.engine.tensor.Tensor;
import org.sbcnm.training.loop.CheckpointFiles;
import org.sbcnm.training.retrieval.ExactIndex;
import scala.Tuple2;

/**
 * Batch inference and the held-out evaluation in one pass over every user, on Spark.
 *
 * <p>The driver reads the checkpoint and the prepared dataset, embeds the catalogue with the item
 * tower and broadcasts the checkpoint's bytes. The held-out split of shared/FORMAT.md (each user's
 * last interaction by timestamp, ties to the later line, is the test item when the user has two or
 * more) and each user's training items come from Spark (a window over the interactions, joined to
 * the id maps). Each partition of users is embedded by the library's query tower on its executor
 * and scored exactly: ⟨u, v⟩ over the full catalogue, the user's training items left out, the top
 * list sorted by score then item index, as {@code ExactIndex} sorts it.
 *
 * <ul>
 *   <li>{@code itemBlocks = 1}: the item embeddings [N, d] are broadcast and each task scores its
 *       users against all of them (no shuffle).
 *   <li>{@code itemBlocks = B > 1}: the catalogue is cut into B blocks (whole multiples of the
 *       exact index's 2,048-item scoring block, so every score is the same GEMM call as in one JVM)
 *       that the executors embed themselves, once per block and JVM. Each chunk of users (embedded
 *       once, and kept) meets each block (a cartesian product, block-major), keeps a partial top
 *       list, and the partial lists merge by user (a shuffle). Only block ranges leave the driver,
 *       and an executor holds a few blocks' embeddings, not the catalogue's.
 * </ul>
 *
 * <p>Output: Parquet {@code (user_id: string, item_ids: array<string>, scores: array<float>,
 * test_rank: int)}; {@code test_rank} is the 0-based rank of the user's held-out item (null without
 * one), capped at the list's last place (max(k, longest cut-off + 1) − 1: that rank or worse).
 * Recall@K and NDCG@K over the test users follow from it and equal {@code eval}'s.
 */
public final class BatchRetrieval {
  /** Users embedded and scored together. */
  static final int CHUNK = 1024;

  /**
   * One batch-inference run.
   *
   * @param data the prepared dataset folder (readable from every executor)
   * @param checkpoint the checkpoint file ({} in the name: the highest-numbered)
   * @param k recommendations per user
   * @param evalKs cut-offs of Recall@K and NDCG@K (may be empty)
   * @param itemBlocks 1 to broadcast the item embeddings, more to partition them, 0 to choose:
   *     broadcast while they take at most an eighth of an executor's memory ({@link #autoBlocks})
   * @param partitions partitions of users (0: Spark's default parallelism)
   * @param out the Parquet output folder (any Hadoop file system)
   * @param overwrite replace {@code out} if it exists
   * @param profile also time the scoring alone (one more GEMM pass per chunk), to split the
   *     search's time into scoring and top K
   */
  public record Spec(
      String data,
      String checkpoint,
      int k,
      int[] evalKs,
      int itemBlocks,
      int partitions,
      String out,
      boolean overwrite,
      boolean profile) {
    public Spec {
      if (k < 1) {
        throw new IllegalArgumentException("k must be at least 1, got " + k);
      }
      for (int c : evalKs) {
        if (c < 1) {
          throw new IllegalArgumentException("evaluation cut-offs must be at least 1, got " + c);
        }
      }
      if (Math.max(k, Arrays.stream(evalKs).max().orElse(0)) + 1 > TopK.MAX_K) {
        throw new IllegalArgumentException(
            "k and the cut-offs must stay below " + TopK.MAX_K + ", got " + k);
      }
      if (itemBlocks < 0) {
        throw new IllegalArgumentException(
            "item blocks must be 0 (auto) or more, got " + itemBlocks);
      }
      if (partitions < 0) {
        throw new IllegalArgumentException("partitions must be 0 or more, got " + partitions);
      }
      evalKs = evalKs.clone();
    }

    /** List length of the pass: room for k, and one more than the longest cut-off. */
    int listLength() {
      return Math.max(k, Arrays.stream(evalKs).max().orElse(0) + 1);
    }
  }

  /**
   * What a run computed.
   *
   * @param users users written
   * @param testUsers users with a held-out item
   * @param itemBlocks blocks the catalogue was cut into (1: broadcast)
   * @param metrics recall@K and ndcg@K for each cut-off, over the test users
   * @param seconds wall time of the run's parts, and task time summed over executors
   */
  public record Result(
      long users,
      long testUsers,
      int itemBlocks,
      Map<String, Double> metrics,
      Map<String, Double> seconds) {}

  private BatchRetrieval() {}

  static final StructType OUTPUT =
      new StructType()
          .add("user_id", DataTypes.StringType, false)
          .add("item_ids", DataTypes.createArrayType(DataTypes.StringType, false), false)
          .add("scores", DataTypes.createArrayType(DataTypes.FloatType, false), false)
          .add("test_rank", DataTypes.IntegerType, true);

  public static Result run(SparkSession spark, Spec spec) throws IOException {
    Map<String, Double> seconds = new LinkedHashMap<>();
    long t0 = System.nanoTime();
    org.apache.hadoop.fs.Path target = new org.apache.hadoop.fs.Path(spec.out());
    if (!spec.overwrite()
        && target.getFileSystem(spark.sparkContext().hadoopConfiguration()).exists(target)) {
      throw new DatasetException(spec.out() + ": already exists; pass --overwrite to replace it");
    }
    Path ckptFile = CheckpointFiles.latest(Path.of(spec.checkpoint()));
    LoadedModel.Slim slim = LoadedModel.forInference(ckptFile);
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    Broadcast<byte[]> ckptB = jsc.broadcast(slim.bytes());
    String key = "ckpt-" + ckptB.id();
    Broadcast<float[]> itemsB = null;
    TaskTimes tasks = new TaskTimes();
    spark.sparkContext().addSparkListener(tasks);
    try {
      LoadedModel driver = LoadedModel.put(key, slim.bundle(), spec.data());
      PreparedDataset d = driver.dataset();
      int numItems = d.numItems();
      int dim = driver.model().config().item().outDim();
      // Broadcast: the driver embeds the catalogue. Blocks: each executor embeds its blocks.
      int blocksWanted =
          spec.itemBlocks() > 0
              ? spec.itemBlocks()
              : autoBlocks((long) numItems * dim * Float.BYTES, executorMemory(spark));
      Tensor itemEmb = blocksWanted == 1 ? driver.model().itemEmbeddings() : null;
      seconds.put("load_and_embed_items", secondsSince(t0));

      long t1 = System.nanoTime();
      Dataset<Row> queries = queries(spark, spec, d.numUsers());
      LongAccumulator embedNanos = spark.sparkContext().longAccumulator("embed");
      LongAccumulator searchNanos = spark.sparkContext().longAccumulator("search");
      LongAccumulator mergeNanos = spark.sparkContext().longAccumulator("merge");
      LongAccumulator scoreNanos = spark.sparkContext().longAccumulator("score");
      LongAccumulator rowsNanos = spark.sparkContext().longAccumulator("rows");
      LongAccumulator itemNanos = spark.sparkContext().longAccumulator("items");
      boolean profile = spec.profile();

      String dataDir = spec.data();
      int length = spec.listLength();
      int k = spec.k();
      JavaRDD<QueryChunk> embedded =
          queries
              .javaRDD()
              .mapPartitionsWithIndex(
                  (part, rows) -> {
                    LoadedModel m = LoadedModel.get(key, ckptB.value(), dataDir);
                    return chunks(part, rows)
                        .map(
                            chunk -> {
                              long e0 = System.nanoTime();
                              QueryChunk q = QueryChunk.embed(chunk.id, chunk.rows, m);
                              embedNanos.add(System.nanoTime() - e0);
                              return q;
                            });
                  },
                  true);
      JavaRDD<TopLists> lists;
      JavaRDD<QueryChunk> kept = null;
      int blockCount = 1;
      if (blocksWanted == 1) {
        itemsB = jsc.broadcast(itemEmb.floats().clone());
        Broadcast<float[]> items = itemsB;
        lists =
            embedded.map(
                q -> {
                  ExactIndex index = FullIndex.get(items, numItems, dim);
                  long s0 = System.nanoTime();
                  TopLists top = q.search(index, 0, length);
                  searchNanos.add(System.nanoTime() - s0);
                  if (profile) {
                    scoreNanos.add(timeScoring(q, index));
                  }
                  return top;
                });
      } else {
        List<ItemBlock> blocks = ItemBlock.cut(numItems, blocksWanted);
        blockCount = blocks.size();
        // Embedded once: every block meets every chunk.
        kept = embedded.persist(StorageLevel.MEMORY_AND_DISK());
        JavaRDD<ItemBlock> blockRdd = jsc.parallelize(blocks, blocks.size());
        // Block-major task order: an executor runs one block's tasks in a row, embedding the
        // block once.
        JavaPairRDD<Long, TopLists> partial =
            blockRdd
                .cartesian(kept)
                .mapToPair(
                    pair -> {
                      LoadedModel m = LoadedModel.get(key, ckptB.value(), dataDir);
                      long i0 = System.nanoTime();
                      ExactIndex index = pair._1().index(key, m);
                      long s0 = System.nanoTime();
                      itemNanos.add(s0 - i0);
                      TopLists top = pair._2().search(index, pair._1().offset(), length);
                      searchNanos.add(System.nanoTime() - s0);
                      if (profile) {
                        scoreNanos.add(timeScoring(pair._2(), index));
                      }
                      return new Tuple2<>(pair._2().id, top);
                    });
        int parts = Math.max(1, queries.javaRDD().getNumPartitions());
        lists =
            partial
                .reduceByKey(
                    (a, b) -> {
                      long m0 = System.nanoTime();
                      TopLists merged = a.merge(b);
                      mergeNanos.add(System.nanoTime() - m0);
                      return merged;
                    },
                    parts)
                .values();
      }
      JavaRDD<Row> rows =
          lists.mapPartitions(
              it -> {
                LoadedModel m = LoadedModel.get(key, ckptB.value(), dataDir);
                return new RowsOf(it, m, k, rowsNanos);
              });
      spark
          .createDataFrame(rows, OUTPUT)
          .write()
          .mode(spec.overwrite() ? SaveMode.Overwrite : SaveMode.ErrorIfExists)
          .parquet(spec.out());
      if (kept != null) {
        kept.unpersist(false);
      }
      seconds.put("pass_and_write", secondsSince(t1));
      try {
        // Task-end events reach listeners asynchronously: wait for this run's last ones.
        spark.sparkContext().listenerBus().waitUntilEmpty(60_000);
      } catch (java.util.concurrent.TimeoutException e) {
        throw new IOException("Spark's listener bus did not drain in 60 s", e);
      }
      spark.sparkContext().removeSparkListener(tasks);
      double run = tasks.runNanos.get() / 1e9;
      double embed = embedNanos.value() / 1e9;
      double search = searchNanos.value() / 1e9;
      double merge = mergeNanos.value() / 1e9;
      double shuffle = (tasks.shuffleWriteNanos.get() + tasks.shuffleFetchWaitNanos.get()) / 1e9;
      // The write job's result stage pulls every row through RowsOf; the rest of its time is the
      // Parquet writer's.
      double parquet = (tasks.lastStageRunNanos() - rowsNanos.value()) / 1e9;
      seconds.put("task_total", run);
      seconds.put("task_embed", embed);
      seconds.put("task_embed_items", itemNanos.value() / 1e9);
      seconds.put("task_score_and_topk", search);
      if (profile) {
        seconds.put("task_score", scoreNanos.value() / 1e9);
        seconds.put("task_topk", search - scoreNanos.value() / 1e9);
      }
      seconds.put("task_merge", merge);
      seconds.put("task_shuffle", shuffle);
      seconds.put("task_parquet_write", parquet);
      seconds.put(
          "task_split_join_other",
          run
              - embed
              - itemNanos.value() / 1e9
              - search
              - scoreNanos.value() / 1e9
              - merge
              - shuffle
              - parquet);
      seconds.put("shuffle_megabytes", tasks.shuffleBytes.get() / 1e6);

      long t2 = System.nanoTime();
      // One pass over the written ranks: users per rank, the users without one under null.
      Map<Integer, Long> histogram = new LinkedHashMap<>();
      long users = 0;
      long testUsers = 0;
      for (Row r : spark.read().parquet(spec.out()).groupBy("test_rank").count().collectAsList()) {
        users += r.getLong(1);
        if (!r.isNullAt(0)) {
          histogram.put(r.getInt(0), r.getLong(1));
          testUsers += r.getLong(1);
        }
      }
      seconds.put("metrics", secondsSince(t2));
      seconds.put("total", secondsSince(t0));
      return new Result(
          users, testUsers, blockCount, metrics(histogram, testUsers, spec.evalKs()), seconds);
    } finally {
      spark.sparkContext().removeSparkListener(tasks);
      ckptB.destroy();
      if (itemsB != null) {
        itemsB.destroy();
      }
      LoadedModel.release(key, spec.data());
      FullIndex.release();
      BlockIndexes.release(key);
    }
  }

  /**
   * Recall@K and NDCG@K from how many test users have each rank (FORMAT.md: Recall@K = share of
   * ranks below K; NDCG@K = mean of 1/log₂(rank + 2) over those).
   */
  static Map<String, Double> metrics(Map<Integer, Long> ranks, long testUsers, int[] ks) {
    Map<String, Double> out = new LinkedHashMap<>();
    int[] sorted = ks.clone();
    Arrays.sort(sorted);
    long n = Math.max(1, testUsers);
    for (int cut : sorted) {
      long hits = 0;
      double ndcg = 0;
      for (Map.Entry<Integer, Long> e : ranks.entrySet()) {
        int r = e.getKey();
        if (r < cut) {
          hits += e.getValue();
          ndcg += e.getValue() / (Math.log(r + 2) / Math.log(2));
        }
      }
      out.put("recall@" + cut, hits / (double) n);
      out.put("ndcg@" + cut, ndcg / n);
    }
    return out;
  }

  /**
   * Every user index 0..users−1 with its training items (ascending, or null) and held-out item (or
   * null): columns u, seen, target, in range partitions by u.
   */
  static Dataset<Row> queries(SparkSession spark, Spec spec, int users) {
    String data = spec.data();
    Dataset<Row> raw =
        csv(spark, data + "/" + PreparedDataset.INTERACTIONS)
            .withColumn("line", monotonically_increasing_id());
    Dataset<Row> userIds = idMap(spark, data + "/" + PreparedDataset.Q_IDMAP, "user_id", "u");
    Dataset<Row> itemIds = idMap(spark, data + "/" + PreparedDataset.I_IDMAP, "item_id", "i");
    Dataset<Row> events =
        raw.join(userIds, "user_id")
            .join(itemIds, "item_id")
            .select(
                col("u"),
                col("i"),
                col("timestamp").cast(DataTypes.LongType).as("ts"),
                col("line"));
    // One aggregation per user: the latest event by (timestamp, line), as a struct's order
    // compares its fields in turn; the event count; and the training items, every event but that
    // one (a repeat of the held-out item earlier stays a training item).
    Dataset<Row> perUser =
        events
            .groupBy("u")
            .agg(
                max(struct(col("ts"), col("line"), col("i"))).as("latest"),
                count(lit(1)).as("events"),
                collect_list(struct(col("line"), col("i"))).as("all"));
    Dataset<Row> split =
        perUser.select(
            col("u"),
            when(col("events").geq(2), col("latest.i")).as("target"),
            expr("array_sort(array_distinct(transform(filter(all, e -> events < 2 OR e.line !="
                    + " latest.line), e -> e.i)))")
                .as("seen"));
    int parts =
        spec.partitions() > 0 ? spec.partitions() : spark.sparkContext().defaultParallelism();
    return spark
        .range(users)
        .toDF("u")
        .join(split, new String[] {"u"}, "left")
        .select(col("u"), col("seen"), col("target"))
        .repartitionByRange(parts, col("u"))
        .sortWithinPartitions("u");
  }

  private static Dataset<Row> csv(SparkSession spark, String path) {
    return spark
        .read()
        .option("header", true)
        .option("escape", "\"")
        .option("inferSchema", false)
        .csv(path);
  }

  private static Dataset<Row> idMap(SparkSession spark, String path, String name, String index) {
    return csv(spark, path)
        .select(col("raw_id").as(name), col("index").cast(DataTypes.IntegerType).as(index));
  }

  /**
   * Blocks for a catalogue of {@code itemBytes} float32 embeddings: 1 (broadcast) while they take
   * at most an eighth of {@code executorBytes} (the rest holds Spark, the model, a partition's
   * users and the scoring buffers), else enough blocks for each to fit that eighth.
   */
  static int autoBlocks(long itemBytes, long executorBytes) {
    long budget = Math.max(1, executorBytes / 8);
    return (int) Math.max(1, (itemBytes + budget - 1) / budget);
  }

  /** An executor's heap: spark.executor.memory, or this JVM's in local mode. */
  private static long executorMemory(SparkSession spark) {
    if (spark.sparkContext().isLocal()) {
      return Runtime.getRuntime().maxMemory();
    }
    return spark.sparkContext().getConf().getSizeAsBytes("spark.executor.memory", "1g");
  }

  /** Nanoseconds of scoring alone: the chunk's GEMM calls against the index, no top K. */
  static long timeScoring(QueryChunk q, ExactIndex index) {
    long t = System.nanoTime();
    float check = q.scoreOnly(index.embeddings());
    long spent = System.nanoTime() - t;
    return Float.isNaN(check) ? spent + 1 : spent;
  }

  private static double secondsSince(long t) {
    return (System.nanoTime() - t) / 1e9;
  }

  /** Rows of one partition, {@value #CHUNK} at a time, with a chunk id unique in the run. */
  record Chunk(long id, List<Row> rows) {}

  static ChunkIterator chunks(int partition, Iterator<Row> rows) {
    Kernels.setThreads(1);
    return new ChunkIterator(partition, rows);
  }

  /** A lazy iterator over a partition's chunks (a partition may hold millions of users). */
  static final class ChunkIterator implements Iterator<Chunk> {
    private final int partition;
    private final Iterator<Row> rows;
    private int next;

    ChunkIterator(int partition, Iterator<Row> rows) {
      this.partition = partition;
      this.rows = rows;
    }

    @Override
    public boolean hasNext() {
      return rows.hasNext();
    }

    @Override
    public Chunk next() {
      if (!rows.hasNext()) {
        throw new NoSuchElementException();
      }
      List<Row> chunk = new ArrayList<>(CHUNK);
      while (rows.hasNext() && chunk.size() < CHUNK) {
        chunk.add(rows.next());
      }
      return new Chunk(((long) partition << 32) | next++, chunk);
    }

    <T> Iterator<T> map(java.util.function.Function<Chunk, T> f) {
      ChunkIterator self = this;
      return new Iterator<>() {
        @Override
        public boolean hasNext() {
          return self.hasNext();
        }

        @Override
        public T next() {
          return f.apply(self.next());
        }
      };
    }
  }

  /** Output rows of top lists: raw ids, scores, and the held-out item's rank. */
  static final class RowsOf implements Iterator<Row> {
    private final Iterator<TopLists> lists;
    private final LoadedModel model;
    private final int k;
    private final int[] items;
    private final float[] scores;
    private final LongAccumulator nanos;
    private TopLists current;
    private int r;

    RowsOf(Iterator<TopLists> lists, LoadedModel model, int k, LongAccumulator nanos) {
      this.nanos = nanos;
      this.lists = lists;
      this.model = model;
      this.k = k;
      this.items = new int[k];
      this.scores = new float[k];
    }

    /** Time inside the iterator, what it pulls from upstream included. */
    @Override
    public boolean hasNext() {
      long t = System.nanoTime();
      boolean more = advance();
      nanos.add(System.nanoTime() - t);
      return more;
    }

    private boolean advance() {
      while (current == null || r >= current.size()) {
        if (!lists.hasNext()) {
          return false;
        }
        current = lists.next();
        r = 0;
      }
      return true;
    }

    @Override
    public Row next() {
      long t = System.nanoTime();
      if (!advance()) {
        throw new NoSuchElementException();
      }
      int n = current.recommendations(r, k, items, scores);
      String[] ids = new String[n];
      Float[] s = new Float[n];
      for (int j = 0; j < n; j++) {
        ids[j] = model.dataset().items().rawId(items[j]);
        s[j] = scores[j];
      }
      int rank = current.rank(r);
      Row row =
          RowFactory.create(
              model.dataset().users().rawId(current.users[r]), ids, s, rank < 0 ? null : rank);
      r++;
      nanos.add(System.nanoTime() - t);
      return row;
    }
  }
}
