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
      Tensor t = b.tensor(name);
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
    int v = Integer.parseInt(b.meta("index.version"));
    if (v != VERSION) {
      throw new UnsupportedVersionException(
          file + ": index version " + v + " is not supported (this build reads " + VERSION + ")",
          v);
    }
    if (!kind.equals(b.meta("kind"))) {
      throw new FormatException(file + ": a " + b.meta("kind") + " index, not " + kind);
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

  public static ExactIndex readExact(Path file) throws IOException {
    TensorBundle b = open(file, "exact");
    ExactIndex idx = new ExactIndex(b.tensor("embeddings"));
    return b.has("adjustment") ? idx.withAdjustment(b.tensor("adjustment").floats()) : idx;
  }

  public static HnswIndex readHnsw(Path file) throws IOException {
    TensorBundle b = open(file, "hnsw");
    int levels = Integer.parseInt(b.meta("hnsw.levels"));
    int[][] nodes = new int[levels][];
    int[][] ptr = new int[levels][];
    int[][] nbrs = new int[levels][];
    for (int l = 0; l < levels; l++) {
      nodes[l] = b.ints("hnsw/nodes/" + l);
      ptr[l] = b.ints("hnsw/ptr/" + l);
      nbrs[l] = b.ints("hnsw/neighbors/" + l);
    }
    Tensor e = b.tensor("embeddings");
    HnswIndex idx =
        HnswIndex.of(
            e,
            Integer.parseInt(b.meta("hnsw.m")),
            Integer.parseInt(b.meta("hnsw.beam_width")),
            new HnswIndex.PackedGraph(
                e.rows(), Integer.parseInt(b.meta("hnsw.entry")), nodes, ptr, nbrs));
    return b.has("adjustment") ? idx.withAdjustment(b.tensor("adjustment").floats()) : idx;
  }
}
