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
  GCN;

  /** Parses "mlp", "id", "history", "dcn", "gcn" (any case). */
  public static TowerKind parse(String s) {
    try {
      return valueOf(s.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "tower kind must be one of mlp, id, history, dcn, gcn; got '" + s + "'");
    }
  }

  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
