package org.sbcnm.towers.config;

import java.util.Locale;

/** What a tower reads and how it transforms it before its MLP. */
public enum TowerKind {
  /** Dense features → MLP. */
  MLP,
  /** ID embedding (+ categorical side fields, + dense features if asked) → MLP. */
  ID,
  /** Mean-pooled bag of the user's earlier items (+ side fields) → MLP. Query towers only. */
  HISTORY,
  /** Dense features → DCN-v2 cross network → MLP. */
  DCN,
  /** Dense item features propagated over the item graph → MLP. Item towers only. */
  GCN,
  /**
   * Item-ID embeddings propagated over the item graph, trained through it (LightGCN, He et al.,
   * SIGIR 2020: the mean of Ŝ⁰E … ŜᵏE) (+ side fields) → MLP. Item towers only.
   */
  LIGHTGCN;

  /** Parses "mlp", "id", "history", "dcn", "gcn", "lightgcn" (any case). */
  public static TowerKind parse(String s) {
    return parse(s, java.util.List.of(values()), "tower kind");
  }

  /** Whether a tower of this kind always reads the dense features (an ID tower may, by choice). */
  public boolean readsFeatures() {
    return this == MLP || this == DCN || this == GCN;
  }

  /** The kinds a query tower may take: mlp, id, history, dcn. */
  public static final java.util.List<TowerKind> QUERY = java.util.List.of(MLP, ID, HISTORY, DCN);

  /** The kinds an item tower may take: mlp, id, dcn, gcn, lightgcn. */
  public static final java.util.List<TowerKind> ITEM =
      java.util.List.of(MLP, ID, DCN, GCN, LIGHTGCN);

  /**
   * Parses {@code s} as one of {@code allowed}; the error, which names {@code flag}, lists just
   * those.
   */
  public static TowerKind parse(String s, java.util.List<TowerKind> allowed, String flag) {
    for (TowerKind k : allowed) {
      if (k.label().equals(s.trim().toLowerCase(Locale.ROOT))) {
        return k;
      }
    }
    StringBuilder choices = new StringBuilder();
    for (TowerKind k : allowed) {
      choices.append(choices.length() == 0 ? "" : ", ").append(k.label());
    }
    throw new IllegalArgumentException(flag + " must be one of " + choices + "; got '" + s + "'");
  }

  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
