package org.sbcnm.training.retrieval;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.lucene.codecs.hnsw.FlatVectorScorerUtil;
import org.apache.lucene.codecs.hnsw.FlatVectorsScorer;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.search.TopKnnCollector;
import org.apache.lucene.util.Bits;
import org.apache.lucene.util.hnsw.HnswGraph;
import org.apache.lucene.util.hnsw.HnswGraphBuilder;
import org.apache.lucene.util.hnsw.HnswGraphSearcher;
import org.apache.lucene.util.hnsw.OnHeapHnswGraph;
import org.apache.lucene.util.hnsw.RandomAccessVectorValues;
import org.apache.lucene.util.hnsw.RandomVectorScorer;
import org.apache.lucene.util.hnsw.RandomVectorScorerSupplier;
import org.sbcnm.engine.kernel.Kernels;
import org.sbcnm.engine.kernel.TopK;
import org.sbcnm.engine.tensor.Tensor;

/**
 * Approximate top-K by HNSW (Malkov &amp; Yashunin, TPAMI 2018), built and searched with Lucene
 * 9.12's {@code org.apache.lucene.util.hnsw} (pure Java, runs on Java 17).
 *
 * <p>Build parameters: M (maximum neighbours per node) and the build beam width; the search-time
 * beam ef ≥ k trades recall for speed. Embeddings are unit vectors, so Lucene's DOT_PRODUCT
 * similarity, (1 + ⟨q, v⟩)/2, orders them like the exact index; scores are returned as ⟨q, v⟩.
 * Excluded items are filtered inside the graph search (Lucene's accept bits). With a per-item
 * popularity adjustment the ef candidates are re-scored as ⟨q, v⟩ + aⱼ and the best k kept. The
 * graph is held as arrays per level ({@link #graph()}), so an index file reloads without a rebuild.
 * Thread-safe for concurrent searches.
 */
public final class HnswIndex {
  private final Tensor items;
  private final int m;
  private final int beamWidth;
  private final PackedGraph graph;
  private final float[] adjustment;
  private final List<float[]> rows;

  private HnswIndex(Tensor items, int m, int beamWidth, PackedGraph graph, float[] adjustment) {
    this.items = items;
    this.m = m;
    this.beamWidth = beamWidth;
    this.graph = graph;
    this.adjustment = adjustment;
    this.rows = rowsOf(items);
  }

  private static List<float[]> rowsOf(Tensor items) {
    List<float[]> rows = new ArrayList<>(items.rows());
    int d = items.cols();
    for (int i = 0; i < items.rows(); i++) {
      rows.add(
          Arrays.copyOfRange(items.floats(), items.offset() + i * d, items.offset() + (i + 1) * d));
    }
    return rows;
  }

  /** Builds the graph over {@code items} [N, d] (unit rows), seeded. */
  public static HnswIndex build(Tensor items, int m, int beamWidth, long seed) {
    if (m < 2 || m > 512 || beamWidth < 1 || beamWidth > 3200) {
      throw new IllegalArgumentException(
          "hnsw: M must be in [2, 512] and beam width in [1, 3200], got " + m + ", " + beamWidth);
    }
    Tensor copy = items.copy();
    try {
      RandomAccessVectorValues.Floats values =
          RandomAccessVectorValues.fromFloats(rowsOf(copy), copy.cols());
      RandomVectorScorerSupplier supplier =
          scorer().getRandomVectorScorerSupplier(VectorSimilarityFunction.DOT_PRODUCT, values);
      OnHeapHnswGraph built =
          HnswGraphBuilder.create(supplier, m, beamWidth, seed).build(copy.rows());
      return new HnswIndex(copy, m, beamWidth, PackedGraph.of(built), null);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** An index over a graph loaded from a file. */
  static HnswIndex of(Tensor items, int m, int beamWidth, PackedGraph graph) {
    return new HnswIndex(items, m, beamWidth, graph, null);
  }

  private static FlatVectorsScorer scorer() {
    return FlatVectorScorerUtil.getLucene99FlatVectorsScorer();
  }

  /** The same graph with scores ⟨q, vⱼ⟩ + adjustment[j]. */
  public HnswIndex withAdjustment(float[] perItem) {
    if (perItem != null && perItem.length != items.rows()) {
      throw new IllegalArgumentException(
          "hnsw: " + perItem.length + " adjustments for " + items.rows() + " items");
    }
    return new HnswIndex(items, m, beamWidth, graph, perItem == null ? null : perItem.clone());
  }

  public int size() {
    return items.rows();
  }

  /** The embedding dimension. */
  public int dim() {
    return items.cols();
  }

  public int m() {
    return m;
  }

  public int beamWidth() {
    return beamWidth;
  }

  Tensor embeddings() {
    return items;
  }

  PackedGraph graph() {
    return graph;
  }

  float[] adjustment() {
    return adjustment;
  }

  /**
   * Approximate top {@code k} of every query row with search beam {@code ef} (≥ k); same output
   * layout as {@link ExactIndex#search}. Queries run on all kernel threads.
   */
  public void search(
      Tensor queries, int k, int ef, Exclusions exclusions, int[] outIdx, float[] outScores) {
    if (queries.cols() != items.cols()) {
      throw new IllegalArgumentException(
          "hnsw search: queries " + queries.shape() + " against items " + items.shape());
    }
    if (k < 1 || k > TopK.MAX_K || ef < k) {
      throw new IllegalArgumentException(
          "hnsw search: need 1 <= k <= " + TopK.MAX_K + " and ef >= k, got k=" + k + " ef=" + ef);
    }
    int q = queries.rows();
    int chunk = 64;
    int chunks = (q + chunk - 1) / chunk;
    Kernels.parallelFor(
        chunks,
        c -> {
          for (int r = c * chunk; r < Math.min(q, (c + 1) * chunk); r++) {
            searchOne(queries, r, k, ef, exclusions, outIdx, outScores);
          }
        });
  }

  private void searchOne(
      Tensor queries, int r, int k, int ef, Exclusions ex, int[] outIdx, float[] outScores) {
    int d = items.cols();
    float[] query =
        Arrays.copyOfRange(
            queries.floats(), queries.offset() + r * d, queries.offset() + (r + 1) * d);
    try {
      RandomAccessVectorValues.Floats values = RandomAccessVectorValues.fromFloats(rows, d);
      RandomVectorScorer scorer =
          scorer().getRandomVectorScorer(VectorSimilarityFunction.DOT_PRODUCT, values, query);
      Bits accept =
          ex == null
              ? null
              : new ExcludedBits(ex.items(), ex.ptr()[r], ex.ptr()[r + 1], items.rows());
      TopKnnCollector collector = new TopKnnCollector(ef, Integer.MAX_VALUE);
      HnswGraphSearcher.search(scorer, collector, graph.view(), accept);
      TopDocs top = collector.topDocs();
      ScoreDoc[] docs = top.scoreDocs;
      int n = docs.length;
      int[] ids = new int[n];
      float[] sc = new float[n];
      for (int i = 0; i < n; i++) {
        ids[i] = docs[i].doc;
        sc[i] = 2 * docs[i].score - 1;
        if (adjustment != null) {
          sc[i] += adjustment[ids[i]];
        }
      }
      // Best k of the ef candidates by (score desc, item asc), as the exact index orders them.
      Integer[] order = new Integer[n];
      for (int i = 0; i < n; i++) {
        order[i] = i;
      }
      Arrays.sort(
          order,
          (x, y) -> sc[x] != sc[y] ? Float.compare(sc[y], sc[x]) : Integer.compare(ids[x], ids[y]));
      for (int j = 0; j < k; j++) {
        outIdx[r * k + j] = j < n ? ids[order[j]] : -1;
        outScores[r * k + j] = j < n ? sc[order[j]] : Float.NEGATIVE_INFINITY;
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Accept bits: every item but the sorted run {@code items[from, to)}. */
  private static final class ExcludedBits implements Bits {
    private final int[] items;
    private final int from;
    private final int to;
    private final int length;

    ExcludedBits(int[] items, int from, int to, int length) {
      this.items = items;
      this.from = from;
      this.to = to;
      this.length = length;
    }

    @Override
    public boolean get(int index) {
      return to <= from || Arrays.binarySearch(items, from, to, index) < 0;
    }

    @Override
    public int length() {
      return length;
    }
  }

  /**
   * An HNSW graph frozen into arrays: for each level, the nodes on it (ascending) and CSR neighbour
   * lists. Read-only, so any number of searches may walk it at once (each through its own {@link
   * #view()}).
   */
  static final class PackedGraph {
    final int entryNode;
    final int[][] levelNodes;
    final int[][] levelPtr;
    final int[][] levelNeighbors;
    final int size;

    PackedGraph(
        int size, int entryNode, int[][] levelNodes, int[][] levelPtr, int[][] levelNeighbors) {
      this.size = size;
      this.entryNode = entryNode;
      this.levelNodes = levelNodes;
      this.levelPtr = levelPtr;
      this.levelNeighbors = levelNeighbors;
    }

    static PackedGraph of(OnHeapHnswGraph g) throws IOException {
      int levels = g.numLevels();
      int[][] nodes = new int[levels][];
      int[][] ptr = new int[levels][];
      int[][] nbrs = new int[levels][];
      for (int l = 0; l < levels; l++) {
        nodes[l] = HnswGraph.NodesIterator.getSortedNodes(g.getNodesOnLevel(l));
        ptr[l] = new int[nodes[l].length + 1];
        it.unimi.dsi.fastutil.ints.IntArrayList list =
            new it.unimi.dsi.fastutil.ints.IntArrayList();
        for (int i = 0; i < nodes[l].length; i++) {
          g.seek(l, nodes[l][i]);
          int nb;
          while ((nb = g.nextNeighbor())
              != org.apache.lucene.search.DocIdSetIterator.NO_MORE_DOCS) {
            list.add(nb);
          }
          ptr[l][i + 1] = list.size();
        }
        nbrs[l] = list.toIntArray();
      }
      return new PackedGraph(g.size(), g.entryNode(), nodes, ptr, nbrs);
    }

    HnswGraph view() {
      return new HnswGraph() {
        private int[] current = new int[0];
        private int at;
        private int end;

        @Override
        public void seek(int level, int target) {
          int i = level == 0 ? target : Arrays.binarySearch(levelNodes[level], target);
          current = levelNeighbors[level];
          at = levelPtr[level][i];
          end = levelPtr[level][i + 1];
        }

        @Override
        public int size() {
          return size;
        }

        @Override
        public int nextNeighbor() {
          return at < end ? current[at++] : org.apache.lucene.search.DocIdSetIterator.NO_MORE_DOCS;
        }

        @Override
        public int numLevels() {
          return levelNodes.length;
        }

        @Override
        public int entryNode() {
          return entryNode;
        }

        @Override
        public NodesIterator getNodesOnLevel(int level) {
          return new ArrayNodesIterator(levelNodes[level], levelNodes[level].length);
        }
      };
    }
  }
}
