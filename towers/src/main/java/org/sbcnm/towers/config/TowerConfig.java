package org.sbcnm.towers.config;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One tower's architecture.
 *
 * @param kind what the tower reads (see {@link TowerKind})
 * @param h1 first hidden width of the MLP
 * @param h2 second hidden width
 * @param outDim embedding dimension (both towers must agree)
 * @param idDim ID-embedding width (kinds ID and HISTORY)
 * @param sideDim width of each categorical side-field embedding
 * @param crossLayers DCN-v2 cross layers (kind DCN)
 * @param gcnLayers propagation hops (kind GCN)
 * @param hashBuckets 0 for one ID row per entity; otherwise the ID table has this many hashed rows
 * @param useDense whether an ID tower also reads the dense features
 */
public record TowerConfig(
    TowerKind kind,
    int h1,
    int h2,
    int outDim,
    int idDim,
    int sideDim,
    int crossLayers,
    int gcnLayers,
    int hashBuckets,
    boolean useDense) {

  public TowerConfig {
    if (kind == null) {
      throw new IllegalArgumentException("tower kind is required");
    }
    positive("h1", h1);
    positive("h2", h2);
    positive("out_dim", outDim);
    positive("id_dim", idDim);
    positive("side_dim", sideDim);
    positive("cross_layers", crossLayers);
    positive("gcn_layers", gcnLayers);
    if (hashBuckets < 0) {
      throw new IllegalArgumentException(
          "hash buckets must be >= 0 (0 = one row per id), got " + hashBuckets);
    }
  }

  private static void positive(String name, int v) {
    if (v < 1 || v > 1 << 16) {
      throw new IllegalArgumentException(name + " must be in [1, 65536], got " + v);
    }
  }

  /**
   * The reference tower: {@code kind}, MLP 256 → 128 → 64, id_dim 64, side_dim 8, 2 cross layers, 2
   * hops.
   */
  /** Whether this tower reads the dense features: by its kind, or an ID tower asked to. */
  public boolean readsFeatures() {
    return kind.readsFeatures() || (kind == TowerKind.ID && useDense);
  }

  public static TowerConfig defaults(TowerKind kind) {
    return new TowerConfig(kind, 256, 128, 64, 64, 8, 2, 2, 0, false);
  }

  public TowerConfig withKind(TowerKind k) {
    return new TowerConfig(
        k, h1, h2, outDim, idDim, sideDim, crossLayers, gcnLayers, hashBuckets, useDense);
  }

  public TowerConfig withWidths(int newH1, int newH2, int newOut) {
    return new TowerConfig(
        kind, newH1, newH2, newOut, idDim, sideDim, crossLayers, gcnLayers, hashBuckets, useDense);
  }

  public TowerConfig withCrossLayers(int n) {
    return new TowerConfig(
        kind, h1, h2, outDim, idDim, sideDim, n, gcnLayers, hashBuckets, useDense);
  }

  public TowerConfig withGcnLayers(int n) {
    return new TowerConfig(
        kind, h1, h2, outDim, idDim, sideDim, crossLayers, n, hashBuckets, useDense);
  }

  public TowerConfig withIdDim(int n) {
    return new TowerConfig(
        kind, h1, h2, outDim, n, sideDim, crossLayers, gcnLayers, hashBuckets, useDense);
  }

  public TowerConfig withHashBuckets(int n) {
    return new TowerConfig(
        kind, h1, h2, outDim, idDim, sideDim, crossLayers, gcnLayers, n, useDense);
  }

  public TowerConfig withDense(boolean on) {
    return new TowerConfig(
        kind, h1, h2, outDim, idDim, sideDim, crossLayers, gcnLayers, hashBuckets, on);
  }

  /** Flat string form for checkpoints, keys prefixed. */
  public Map<String, String> toMap(String prefix) {
    Map<String, String> m = new LinkedHashMap<>();
    m.put(prefix + "kind", kind.label());
    m.put(prefix + "h1", Integer.toString(h1));
    m.put(prefix + "h2", Integer.toString(h2));
    m.put(prefix + "out_dim", Integer.toString(outDim));
    m.put(prefix + "id_dim", Integer.toString(idDim));
    m.put(prefix + "side_dim", Integer.toString(sideDim));
    m.put(prefix + "cross_layers", Integer.toString(crossLayers));
    m.put(prefix + "gcn_layers", Integer.toString(gcnLayers));
    m.put(prefix + "hash_buckets", Integer.toString(hashBuckets));
    m.put(prefix + "use_dense", Boolean.toString(useDense));
    return m;
  }

  /** Parses what {@link #toMap} wrote. */
  public static TowerConfig fromMap(Map<String, String> m, String prefix) {
    return new TowerConfig(
        TowerKind.parse(get(m, prefix + "kind")),
        Integer.parseInt(get(m, prefix + "h1")),
        Integer.parseInt(get(m, prefix + "h2")),
        Integer.parseInt(get(m, prefix + "out_dim")),
        Integer.parseInt(get(m, prefix + "id_dim")),
        Integer.parseInt(get(m, prefix + "side_dim")),
        Integer.parseInt(get(m, prefix + "cross_layers")),
        Integer.parseInt(get(m, prefix + "gcn_layers")),
        Integer.parseInt(get(m, prefix + "hash_buckets")),
        Boolean.parseBoolean(get(m, prefix + "use_dense")));
  }

  static String get(Map<String, String> m, String key) {
    String v = m.get(key);
    if (v == null) {
      throw new IllegalArgumentException("model config lacks '" + key + "'");
    }
    return v;
  }
}
