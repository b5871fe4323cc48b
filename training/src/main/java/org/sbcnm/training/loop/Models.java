package org.sbcnm.training.loop;

import java.util.ArrayList;
import java.util.List;
import org.sbcnm.datasets.prepared.CategoricalFields;
import org.sbcnm.datasets.prepared.ItemEdges;
import org.sbcnm.datasets.prepared.PreparedDataset;
import org.sbcnm.engine.io.TensorBundle;
import org.sbcnm.engine.tensor.DType;
import org.sbcnm.towers.config.ModelConfig;
import org.sbcnm.towers.config.TowerConfig;
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
    List<Part> parts = parts(config, data);
    if (checkpoint != null && checkpoint.source() != null) {
      requirePlausible(parts, checkpoint.source());
    }
    CategoricalFields qs = data.querySide();
    CategoricalFields is = data.itemSide();
    requireFeatures(config.query(), data.queryFeatures().cols(), PreparedDataset.Q_FEATS);
    requireFeatures(config.item(), data.itemFeatures().cols(), PreparedDataset.I_FEATS);
    requireMemory(parts);
    TowerData query =
        new TowerData(
            data.numUsers(),
            data.queryFeatures(),
            qs == null ? null : qs.codes(),
            cardinalities(qs),
            null,
            data.numItems(),
            config.query().hashBuckets() > 0 ? data.users().hashKeys() : null);
    boolean gcn = readsGraph(config.item().kind());
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
          "the "
              + config.item().kind().label()
              + " item tower needs item_edges.csv or item_adj.npy in the dataset");
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

  private static boolean readsGraph(TowerKind kind) {
    return kind == TowerKind.GCN || kind == TowerKind.LIGHTGCN;
  }

  /** Saves the dataset's item graph into a checkpoint of a GCN model (nothing for other towers). */
  public static void saveGraph(ModelConfig config, PreparedDataset data, TensorBundle checkpoint) {
    ItemEdges e = data.itemEdges();
    if (!readsGraph(config.item().kind()) || e == null) {
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
   * Bytes per parameter while training: the value, its gradient and Adam's two moments, float32
   * each.
   */
  static final long BYTES_PER_ELEMENT = 16;

  /** Refuses a tower that reads dense features over a features file without columns. */
  private static void requireFeatures(
      org.sbcnm.towers.config.TowerConfig t, int width, String file) {
    if (t.readsFeatures() && width == 0) {
      throw new IllegalArgumentException(
          file
              + " has no feature columns, but the "
              + t.kind().label()
              + " tower reads them (an id tower does not)");
    }
  }

  /** a · b, or Long.MAX_VALUE when that overflows (sizes from crafted files can be anything). */
  static long times(long a, long b) {
    long high = Math.multiplyHigh(a, b);
    long low = a * b;
    return high != 0 || low < 0 ? Long.MAX_VALUE : low;
  }

  /** a + b, or Long.MAX_VALUE when that overflows. */
  static long plus(long a, long b) {
    long r = a + b;
    return r < 0 ? Long.MAX_VALUE : r;
  }

  /** One block of parameters: its element count and where its size comes from. */
  record Part(long elements, String source) {}

  /**
   * The model's parameter blocks for {@code config} over {@code data}, computed from the shapes
   * alone (nothing is allocated): ID, history and side-field tables, cross layers and MLP layers.
   */
  static List<Part> parts(ModelConfig config, PreparedDataset data) {
    List<Part> parts = new ArrayList<>();
    towerParts(config.query(), true, data, parts);
    towerParts(config.item(), false, data, parts);
    return parts;
  }

  /** One tower's blocks, added to {@code parts}: tables first, then the dense layers they feed. */
  private static void towerParts(
      TowerConfig t, boolean isQuery, PreparedDataset data, List<Part> parts) {
    String tower = isQuery ? "query" : "item";
    long width = tableParts(t, isQuery, data, parts);
    if (t.readsFeatures()) {
      width += (isQuery ? data.queryFeatures() : data.itemFeatures()).cols();
    }
    if (t.kind() == TowerKind.DCN) {
      parts.add(
          new Part(
              times(t.crossLayers(), plus(times(width, width), width)),
              tower + " tower: " + t.crossLayers() + " cross layers of " + width + " x " + width));
    }
    long[] widths = {width, t.h1(), t.h2(), t.outDim()};
    for (int l = 0; l + 1 < widths.length; l++) {
      parts.add(
          new Part(
              plus(times(widths[l], widths[l + 1]), widths[l + 1]),
              tower + " tower: MLP layer " + (l + 1) + " of " + widths[l] + " x " + widths[l + 1]));
    }
  }

  /** A tower's embedding tables (ID, history, side fields), added to parts; returns their width. */
  private static long tableParts(
      TowerConfig t, boolean isQuery, PreparedDataset data, List<Part> parts) {
    long width = 0;
    if (t.kind() == TowerKind.ID || t.kind() == TowerKind.LIGHTGCN) {
      boolean hashed = t.hashBuckets() > 0;
      long rows = hashed ? t.hashBuckets() : isQuery ? data.numUsers() : data.numItems();
      String source =
          hashed
              ? "id_hash_buckets " + t.hashBuckets()
              : (isQuery ? PreparedDataset.Q_IDMAP : PreparedDataset.I_IDMAP) + " ids";
      parts.add(table(rows, t.idDim(), source));
      width += t.idDim();
    }
    if (t.kind() == TowerKind.HISTORY) {
      parts.add(table(data.numItems(), t.idDim(), PreparedDataset.I_IDMAP + " ids"));
      width += t.idDim();
    }
    CategoricalFields side = isQuery ? data.querySide() : data.itemSide();
    if (side != null
        && (t.kind() == TowerKind.ID
            || t.kind() == TowerKind.HISTORY
            || t.kind() == TowerKind.LIGHTGCN)) {
      String file = isQuery ? PreparedDataset.Q_SIDE : PreparedDataset.I_SIDE;
      for (int f = 0; f < side.fields(); f++) {
        long rows = Math.max(1, side.cardinality(f));
        parts.add(
            table(rows, t.sideDim(), file + " column " + f + " (largest code " + (rows - 1) + ")"));
        width += t.sideDim();
      }
    }
    return width;
  }

  private static Part table(long rows, int dim, String source) {
    return new Part(times(rows, dim), source + ": a table of " + rows + " x " + dim);
  }

  /**
   * Refuses a checkpoint whose model config needs more float32 parameters than the file has bytes
   * for: it cannot hold them, and building the model first would let a crafted config allocate
   * gigabytes.
   */
  static void requirePlausible(ModelConfig config, PreparedDataset data, java.nio.file.Path file) {
    requirePlausible(parts(config, data), file);
  }

  private static void requirePlausible(List<Part> parts, java.nio.file.Path file) {
    long need = times(count(parts), 4);
    long have;
    try {
      have = java.nio.file.Files.size(file);
    } catch (java.io.IOException e) {
      return;
    }
    if (need > have) {
      throw new IllegalArgumentException(
          "its model config needs "
              + MemoryBudget.human(need)
              + " of parameters on this dataset but the file holds "
              + MemoryBudget.human(have)
              + " in all (a damaged file, or a model of another dataset)");
    }
  }

  /** The model's parameter count for {@code config} over {@code data}; see {@link #parts}. */
  public static long parameterCount(ModelConfig config, PreparedDataset data) {
    return count(parts(config, data));
  }

  private static long count(List<Part> parts) {
    long total = 0;
    for (Part p : parts) {
      total = plus(total, p.elements());
    }
    return total;
  }

  /**
   * Refuses a model whose parameters, with their gradients and optimiser state, would not fit the
   * heap, naming the largest block and where its size comes from, before anything is allocated.
   */
  private static void requireMemory(List<Part> parts) {
    Part largest = parts.get(0);
    for (Part p : parts) {
      if (p.elements() > largest.elements()) {
        largest = p;
      }
    }
    MemoryBudget.require(
        times(count(parts), BYTES_PER_ELEMENT),
        "the model's parameters (largest: " + largest.source() + ")");
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
