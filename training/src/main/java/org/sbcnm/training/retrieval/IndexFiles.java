package org.sbcnm.training.retrieval;

import java.io.IOException;
import java.nio.file.Path;
import org.sbcnm.engine.io.FormatException;
import org.sbcnm.engine.io.TensorBundle;
import org.sbcnm.engine.io.UnsupportedVersionException;
import org.sbcnm.engine.tensor.Tensor;

/**
 * Index files: a tensor bundle (magic + bundle version) whose metadata says {@code format =
 * sbcnm-index}, the index version, the kind (exact or hnsw) and its parameters; the embeddings and,
 * for HNSW, the graph's arrays per level. Loading needs no model and no rebuild.
 */
public final class IndexFiles {
  public static final String FORMAT = "sbcnm-index";
  public static final int VERSION = 1;

  private IndexFiles() {}

  public static void write(Path file, ExactIndex index) throws IOException {
    TensorBundle b = header("exact", index.embeddings());
    if (index.adjustment() != null) {
      b.put("adjustment", Tensor.wrap(index.adjustment().clone(), 1, index.size()));
    }
    b.write(file);
  }

  public static void write(Path file, HnswIndex index) throws IOException {
    TensorBundle b = header("hnsw", index.embeddings());
    b.meta("hnsw.m", Integer.toString(index.m()));
    b.meta("hnsw.beam_width", Integer.toString(index.beamWidth()));
    if (index.adjustment() != null) {
      b.put("adjustment", Tensor.wrap(index.adjustment().clone(), 1, index.size()));
    }
    HnswIndex.PackedGraph g = index.graph();
    b.meta("hnsw.entry", Integer.toString(g.entryNode));
    b.meta("hnsw.levels", Integer.toString(g.levelNodes.length));
    for (int l = 0; l < g.levelNodes.length; l++) {
      b.putInts("hnsw/nodes/" + l, g.levelNodes[l], 1, g.levelNodes[l].length);
      b.putInts("hnsw/ptr/" + l, g.levelPtr[l], 1, g.levelPtr[l].length);
      b.putInts("hnsw/neighbors/" + l, g.levelNeighbors[l], 1, g.levelNeighbors[l].length);
    }
    b.write(file);
  }

  private static TensorBundle header(String kind, Tensor embeddings) {
    return new TensorBundle()
        .meta("format", FORMAT)
        .meta("index.version", Integer.toString(VERSION))
        .meta("kind", kind)
        .meta("metric", "inner_product")
        .meta("items", Integer.toString(embeddings.rows()))
        .meta("dim", Integer.toString(embeddings.cols()))
        .put("embeddings", embeddings);
  }

  /** Refuses an index whose embeddings or adjustment hold NaN or an infinity. */
  private static void requireFinite(Path file, TensorBundle b) throws FormatException {
    for (String name : new String[] {"embeddings", "adjustment"}) {
      if (!b.has(name)) {
        continue;
      }
      Tensor t = b.requireTensor(name);
      for (int k = 0; k < t.size(); k++) {
        if (!Double.isFinite(t.getFlat(k))) {
          throw new FormatException(
              file + ": " + name + " holds " + t.getFlat(k) + " at element " + k + ": refused");
        }
      }
    }
  }

  private static TensorBundle open(Path file, String kind) throws IOException {
    TensorBundle b = TensorBundle.read(file);
    if (!FORMAT.equals(b.meta("format"))) {
      throw new FormatException(file + ": not an sbcnm index (format " + b.meta("format") + ")");
    }
    int v = b.intMeta("index.version", 0, Integer.MAX_VALUE);
    if (v != VERSION) {
      throw new UnsupportedVersionException(
          file + ": index version " + v + " is not supported (this build reads " + VERSION + ")",
          v);
    }
    if (!kind.equals(b.meta("kind"))) {
      throw new FormatException(file + ": a " + b.meta("kind") + " index, not " + kind);
    }
    Tensor e = b.requireTensor("embeddings");
    if (e.rows() < 1 || e.cols() < 1) {
      throw new FormatException(
          file + ": embeddings of shape [" + e.rows() + ", " + e.cols() + "] hold no item");
    }
    Tensor adjustment = b.has("adjustment") ? b.requireTensor("adjustment") : null;
    if (!e.isFloat32() || (adjustment != null && !adjustment.isFloat32())) {
      throw new FormatException(file + ": embeddings and adjustment must be float32");
    }
    if (adjustment != null && adjustment.size() != e.rows()) {
      throw new FormatException(
          file + ": " + adjustment.size() + " popularity adjustments for " + e.rows() + " items");
    }
    requireFinite(file, b);
    return b;
  }

  /** The kind stored in an index file: "exact" or "hnsw". */
  public static String kindOf(Path file) throws IOException {
    TensorBundle b = TensorBundle.read(file);
    if (!FORMAT.equals(b.meta("format"))) {
      throw new FormatException(file + ": not an sbcnm index");
    }
    return b.meta("kind");
  }

  /** Reads an exact index; every error names the file. */
  public static ExactIndex readExact(Path file) throws IOException {
    TensorBundle b = open(file, "exact");
    ExactIndex idx = new ExactIndex(b.requireTensor("embeddings"));
    return b.has("adjustment") ? idx.withAdjustment(b.requireTensor("adjustment").floats()) : idx;
  }

  /**
   * Reads an HNSW index. Its graph is checked whole before any search may walk it: every level's
   * nodes sorted and within the catalogue, each level within the one below, offsets that stay
   * inside the neighbour lists, neighbours that are nodes of their level, and an entry node on the
   * top level.
   */
  public static HnswIndex readHnsw(Path file) throws IOException {
    TensorBundle b = open(file, "hnsw");
    Tensor e = b.requireTensor("embeddings");
    int size = e.rows();
    requireUnitRows(file, e);
    int levels = b.intMeta("hnsw.levels", 1, 64);
    int[][] nodes = new int[levels][];
    int[][] ptr = new int[levels][];
    int[][] nbrs = new int[levels][];
    for (int l = 0; l < levels; l++) {
      nodes[l] = b.requireInts("hnsw/nodes/" + l);
      ptr[l] = b.requireInts("hnsw/ptr/" + l);
      nbrs[l] = b.requireInts("hnsw/neighbors/" + l);
      checkLevel(file, l, size, nodes[l], l == 0 ? null : nodes[l - 1], ptr[l], nbrs[l]);
    }
    int entry = b.intMeta("hnsw.entry", 0, size - 1);
    if (java.util.Arrays.binarySearch(nodes[levels - 1], entry) < 0) {
      throw new FormatException(
          file + ": hnsw.entry " + entry + " is not a node of the top level " + (levels - 1));
    }
    HnswIndex idx =
        HnswIndex.of(
            e,
            b.intMeta("hnsw.m", 1, 1 << 16),
            b.intMeta("hnsw.beam_width", 1, 1 << 20),
            new HnswIndex.PackedGraph(size, entry, nodes, ptr, nbrs));
    return b.has("adjustment") ? idx.withAdjustment(b.requireTensor("adjustment").floats()) : idx;
  }

  /**
   * The graph's scores are (1 + ⟨q, v⟩) / 2 over unit vectors (the towers' outputs): a row of
   * another length would score outside that range, or overflow.
   */
  private static void requireUnitRows(Path file, Tensor e) throws FormatException {
    int d = e.cols();
    float[] v = e.floats();
    for (int r = 0; r < e.rows(); r++) {
      double norm2 = 0;
      for (int c = 0; c < d; c++) {
        double x = v[e.offset() + r * d + c];
        norm2 += x * x;
      }
      if (!(Math.abs(Math.sqrt(norm2) - 1) <= UNIT_TOLERANCE)) {
        throw new FormatException(
            file
                + ": hnsw embeddings row "
                + r
                + " has norm "
                + Math.sqrt(norm2)
                + "; the approximate index holds unit vectors");
      }
    }
  }

  /** How far from 1 a stored row's norm may be (float32 rounding of a normalised vector). */
  static final double UNIT_TOLERANCE = 1e-3;

  private static void checkLevel(
      Path file, int level, int size, int[] nodes, int[] below, int[] ptr, int[] nbrs)
      throws FormatException {
    String where = file + ": hnsw level " + level + ": ";
    if (level == 0 && nodes.length != size) {
      throw new FormatException(
          where + nodes.length + " nodes, expected every one of the " + size + " items");
    }
    for (int i = 0; i < nodes.length; i++) {
      if (nodes[i] < 0 || nodes[i] >= size || (i > 0 && nodes[i] <= nodes[i - 1])) {
        throw new FormatException(
            where + "node " + nodes[i] + " at " + i + " is out of range or out of order");
      }
      if (below != null && java.util.Arrays.binarySearch(below, nodes[i]) < 0) {
        throw new FormatException(
            where + "node " + nodes[i] + " is missing from level " + (level - 1));
      }
    }
    if (ptr.length != nodes.length + 1 || ptr[0] != 0 || ptr[nodes.length] != nbrs.length) {
      throw new FormatException(
          where
              + "offsets must run from 0 to "
              + nbrs.length
              + " over "
              + (nodes.length + 1)
              + " entries");
    }
    for (int i = 0; i < nodes.length; i++) {
      if (ptr[i + 1] < ptr[i]) {
        throw new FormatException(where + "offsets decrease at " + i);
      }
    }
    for (int k = 0; k < nbrs.length; k++) {
      int n = nbrs[k];
      boolean present =
          level == 0 ? n >= 0 && n < size : java.util.Arrays.binarySearch(nodes, n) >= 0;
      if (!present) {
        throw new FormatException(
            where + "neighbour " + n + " at " + k + " is not a node of this level");
      }
    }
  }
}
