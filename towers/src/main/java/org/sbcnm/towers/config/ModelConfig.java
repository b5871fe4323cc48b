package org.sbcnm.towers.config;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A two-tower model: query and item towers and the softmax temperature τ (scores are ⟨u, v⟩ / τ
 * between unit vectors; Yi et al. 2019 §3). The towers' output dimensions must match.
 *
 * @param query query (user) tower; kinds mlp, id, history, dcn
 * @param item item tower; kinds mlp, id, dcn, gcn
 * @param temperature τ &gt; 0
 * @param seed seeds every initialiser
 */
public record ModelConfig(TowerConfig query, TowerConfig item, double temperature, long seed) {
  public ModelConfig {
    if (query == null || item == null) {
      throw new IllegalArgumentException("both towers are required");
    }
    if (query.kind() == TowerKind.GCN || query.kind() == TowerKind.LIGHTGCN) {
      throw new IllegalArgumentException(
          "query tower kind "
              + query.kind().label()
              + " is not supported (it propagates over the item graph)");
    }
    if (item.kind() == TowerKind.HISTORY) {
      throw new IllegalArgumentException(
          "item tower kind history is not supported (history is a bag of a user's items)");
    }
    if (query.outDim() != item.outDim()) {
      throw new IllegalArgumentException(
          "tower output dims differ: query " + query.outDim() + ", item " + item.outDim());
    }
    if (!(temperature > 0) || Double.isInfinite(temperature)) {
      throw new IllegalArgumentException("temperature must be finite and > 0, got " + temperature);
    }
  }

  public Map<String, String> toMap() {
    Map<String, String> m = new LinkedHashMap<>();
    m.putAll(query.toMap("query."));
    m.putAll(item.toMap("item."));
    m.put("temperature", Double.toString(temperature));
    m.put("seed", Long.toString(seed));
    return m;
  }

  /**
   * Parses what {@link #toMap} wrote; a missing key or one {@link #toMap} never writes is refused
   * by name.
   */
  public static ModelConfig fromMap(Map<String, String> m) {
    ModelConfig c =
        new ModelConfig(
            TowerConfig.fromMap(m, "query."),
            TowerConfig.fromMap(m, "item."),
            Double.parseDouble(TowerConfig.get(m, "temperature")),
            Long.parseLong(TowerConfig.get(m, "seed")));
    for (String key : m.keySet()) {
      if (!c.toMap().containsKey(key)) {
        throw new IllegalArgumentException("model config has an unknown key '" + key + "'");
      }
    }
    return c;
  }
}
