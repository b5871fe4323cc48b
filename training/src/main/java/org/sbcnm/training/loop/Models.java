package org.sbcnm.training.loop;

import org.sbcnm.datasets.prepared.CategoricalFields;
import org.sbcnm.datasets.prepared.ItemEdges;
import org.sbcnm.datasets.prepared.PreparedDataset;
import org.sbcnm.engine.io.TensorBundle;
import org.sbcnm.engine.tensor.DType;
import org.sbcnm.towers.config.ModelConfig;
import org.sbcnm.towers.config.TowerKind;
import org.sbcnm.towers.tower.TowerData;
import org.sbcnm.towers.tower.TwoTowerModel;

/** Builds a two-tower model over a prepared dataset. */
public final class Models {
  private static final String GRAPH = "graph/";

  private Models() {}

  /**
   * The model for {@code config} whose towers read this dataset's features, side fields and graph.
   */
  public static TwoTowerModel build(ModelConfig config, PreparedDataset data) {
    return build(config, data, null);
  }

  /**
   * {@link #build(ModelConfig, PreparedDataset)}, a GCN item tower taking the item graph saved in
   * {@code checkpoint} ({@link #saveGraph}) when the dataset has none: the original project's
   * commands give a GCN model's readers the five data files only.
   */
  public static TwoTowerModel build(
      ModelConfig config, PreparedDataset data, TensorBundle checkpoint) {
    CategoricalFields qs = data.querySide();
    CategoricalFields is = data.itemSide();
    requireTableMemory(config, data);
    TowerData query =
        new TowerData(
            data.numUsers(),
            data.queryFeatures(),
            qs == null ? null : qs.codes(),
            cardinalities(qs),
            null,
            data.numItems(),
            config.query().hashBuckets() > 0 ? data.users().hashKeys() : null);
    boolean gcn = config.item().kind() == TowerKind.GCN;
    ItemEdges edges = data.itemEdges();
    if (gcn && edges == null && checkpoint != null && checkpoint.has(GRAPH + "src")) {
      edges =
          new ItemEdges(
              toInts(checkpoint.longs(GRAPH + "src")),
              toInts(checkpoint.longs(GRAPH + "dst")),
              checkpoint.doubles(GRAPH + "weight"));
    }
    if (gcn && edges == null) {
      throw new IllegalArgumentException(
          "the gcn item tower needs item_edges.csv or item_adj.npy in the dataset");
    }
    TowerData item =
        new TowerData(
            data.numItems(),
            data.itemFeatures(),
            is == null ? null : is.codes(),
            cardinalities(is),
            gcn ? edges.adjacency(data.numItems()) : null,
            0,
            config.item().hashBuckets() > 0 ? data.items().hashKeys() : null);
    return new TwoTowerModel(config, query, item, DType.FLOAT32);
  }

  /** Saves the dataset's item graph into a checkpoint of a GCN model (nothing for other towers). */
  public static void saveGraph(ModelConfig config, PreparedDataset data, TensorBundle checkpoint) {
    ItemEdges e = data.itemEdges();
    if (config.item().kind() != TowerKind.GCN || e == null) {
      return;
    }
    long[] src = new long[e.size()];
    long[] dst = new long[e.size()];
    double[] weight = new double[e.size()];
    for (int k = 0; k < e.size(); k++) {
      src[k] = e.src(k);
      dst[k] = e.dst(k);
      weight[k] = e.weight(k);
    }
    checkpoint.putLongs(GRAPH + "src", src, 1, src.length);
    checkpoint.putLongs(GRAPH + "dst", dst, 1, dst.length);
    checkpoint.putDoubles(GRAPH + "weight", weight);
  }

  /**
   * Bytes per embedding-table element while training: the value, its gradient and Adam's two
   * moments, float32 each.
   */
  static final long BYTES_PER_ELEMENT = 16;

  /**
   * Refuses a model whose embedding tables would not fit the heap, naming the table whose size
   * comes from the data or a flag (the largest one) before anything is allocated.
   */
  static void requireTableMemory(ModelConfig config, PreparedDataset data) {
    long total = 0;
    long largest = -1;
    String largestSource = "";
    for (boolean isQuery : new boolean[] {true, false}) {
      org.sbcnm.towers.config.TowerConfig t = isQuery ? config.query() : config.item();
      java.util.List<long[]> sizes = new java.util.ArrayList<>();
      java.util.List<String> sources = new java.util.ArrayList<>();
      if (t.kind() == TowerKind.ID) {
        boolean hashed = t.hashBuckets() > 0;
        long rows = hashed ? t.hashBuckets() : isQuery ? data.numUsers() : data.numItems();
        sizes.add(new long[] {rows, t.idDim()});
        sources.add(
            hashed
                ? "--id_hash_buckets " + t.hashBuckets()
                : (isQuery ? PreparedDataset.Q_IDMAP : PreparedDataset.I_IDMAP) + " ids");
      }
      if (t.kind() == TowerKind.HISTORY) {
        sizes.add(new long[] {data.numItems(), t.idDim()});
        sources.add(PreparedDataset.I_IDMAP + " ids");
      }
      CategoricalFields side = isQuery ? data.querySide() : data.itemSide();
      if (side != null && (t.kind() == TowerKind.ID || t.kind() == TowerKind.HISTORY)) {
        for (int f = 0; f < side.fields(); f++) {
          sizes.add(new long[] {Math.max(1, side.cardinality(f)), t.sideDim()});
          sources.add(
              (isQuery ? PreparedDataset.Q_SIDE : PreparedDataset.I_SIDE)
                  + " column "
                  + f
                  + " (largest code "
                  + (side.cardinality(f) - 1)
                  + ")");
        }
      }
      for (int k = 0; k < sizes.size(); k++) {
        long bytes = sizes.get(k)[0] * sizes.get(k)[1] * BYTES_PER_ELEMENT;
        total += bytes;
        if (bytes > largest) {
          largest = bytes;
          largestSource =
              sources.get(k) + ": a table of " + sizes.get(k)[0] + " x " + sizes.get(k)[1];
        }
      }
    }
    if (total > 0) {
      MemoryBudget.require(total, "the embedding tables (largest: " + largestSource + ")");
    }
  }

  private static int[] toInts(long[] v) {
    int[] out = new int[v.length];
    for (int k = 0; k < v.length; k++) {
      out[k] = Math.toIntExact(v[k]);
    }
    return out;
  }

  private static int[] cardinalities(CategoricalFields f) {
    if (f == null) {
      return null;
    }
    int[] c = new int[f.fields()];
    for (int k = 0; k < c.length; k++) {
      c[k] = Math.max(1, f.cardinality(k));
    }
    return c;
  }
}
