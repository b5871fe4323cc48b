package org.sbcnm.datasets.prepared;

import it.unimi.dsi.fastutil.longs.Long2DoubleMap;
import it.unimi.dsi.fastutil.longs.Long2DoubleOpenHashMap;
import org.sbcnm.engine.sparse.CsrMatrix;

/** An undirected weighted item graph as an edge list of item indices. */
public final class ItemEdges {
  private final int[] src;
  private final int[] dst;
  private final double[] weight;

  public ItemEdges(int[] src, int[] dst, double[] weight) {
    if (src.length != dst.length || src.length != weight.length) {
      throw new IllegalArgumentException("item edges: arrays differ in length");
    }
    this.src = src;
    this.dst = dst;
    this.weight = weight;
  }

  public int size() {
    return src.length;
  }

  public int src(int k) {
    return src[k];
  }

  public int dst(int k) {
    return dst[k];
  }

  public double weight(int k) {
    return weight[k];
  }

  /**
   * The symmetric adjacency A [n, n]: for every unordered pair {s, t} listed (in either direction,
   * once or more), A[s][t] = A[t][s] = the largest weight listed for it. Files that list each
   * undirected edge once and files that list both directions (as top-k co-occurrence lists do) thus
   * give the same graph. Self-loops are dropped: the GCN normalisation adds its own.
   */
  public CsrMatrix adjacency(int numItems) {
    Long2DoubleOpenHashMap pairs = new Long2DoubleOpenHashMap(src.length);
    for (int k = 0; k < src.length; k++) {
      int a = Math.min(src[k], dst[k]);
      int b = Math.max(src[k], dst[k]);
      if (a == b) {
        continue;
      }
      long key = ((long) a << 32) | b;
      pairs.put(key, pairs.containsKey(key) ? Math.max(pairs.get(key), weight[k]) : weight[k]);
    }
    int m = pairs.size();
    int[] r = new int[2 * m];
    int[] c = new int[2 * m];
    double[] v = new double[2 * m];
    int w = 0;
    for (Long2DoubleMap.Entry e : pairs.long2DoubleEntrySet()) {
      int a = (int) (e.getLongKey() >>> 32);
      int b = (int) e.getLongKey();
      r[w] = a;
      c[w] = b;
      v[w++] = e.getDoubleValue();
      r[w] = b;
      c[w] = a;
      v[w++] = e.getDoubleValue();
    }
    return CsrMatrix.fromCoo(numItems, numItems, r, c, v);
  }
}
