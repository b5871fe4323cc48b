package org.sbcnm.towers.tower;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.sbcnm.engine.autograd.Node;
import org.sbcnm.engine.autograd.Tape;
import org.sbcnm.engine.io.TensorBundle;
import org.sbcnm.engine.param.Parameter;
import org.sbcnm.engine.tensor.DType;
import org.sbcnm.engine.tensor.Tensor;
import org.sbcnm.towers.config.ModelConfig;
import org.sbcnm.towers.config.TowerKind;

/**
 * A query tower and an item tower whose L2-normalised outputs are compared by ⟨u, v⟩ / τ (Yi et
 * al., RecSys 2019). The item tower is built first so that a history query tower can pool the item
 * tower's ID embeddings. Parameters are created from {@code config.seed()}, so the same config and
 * data give the same initial model.
 */
public final class TwoTowerModel {
  private static final String PARAM_PREFIX = "param/";
  private static final String ID_HASH = "ids.hash";
  private final ModelConfig config;
  private final Tower query;
  private final Tower item;
  private final List<Parameter> params;

  public TwoTowerModel(ModelConfig config, TowerData queryData, TowerData itemData, DType type) {
    this.config = config;
    SplittableRandom rng = new SplittableRandom(config.seed());
    this.item = new Tower("item", config.item(), itemData, type, rng.split(), null);
    this.query =
        new Tower(
            "query",
            config.query(),
            queryData,
            type,
            rng.split(),
            config.query().kind() == TowerKind.HISTORY ? item.idTable() : null);
    Map<Parameter, Boolean> seen = new IdentityHashMap<>();
    List<Parameter> ps = new ArrayList<>();
    for (Parameter p : query.parameters()) {
      if (seen.put(p, true) == null) {
        ps.add(p);
      }
    }
    for (Parameter p : item.parameters()) {
      if (seen.put(p, true) == null) {
        ps.add(p);
      }
    }
    this.params = Collections.unmodifiableList(ps);
  }

  public ModelConfig config() {
    return config;
  }

  public Tower query() {
    return query;
  }

  public Tower item() {
    return item;
  }

  /** All trainable parameters, each once, query tower first. */
  public List<Parameter> parameters() {
    return params;
  }

  /**
   * Embeds {@code ids[0, n)} with a tower, in chunks, into {@code out} [n, outDim] (float32),
   * without recording gradients. Modifies out.
   */
  public void embedAll(Tower tower, int[] ids, int n, Tensor out, int chunk) {
    Tape tape = new Tape();
    TowerBatch batch = new TowerBatch();
    for (int s = 0; s < n; s += chunk) {
      int m = Math.min(chunk, n - s);
      batch.set(ids, s, m);
      try (Tape t = tape.begin()) {
        Node e = tower.embed(t, batch);
        out.rowRange(s, m).copyFrom(e.value());
      }
    }
  }

  /** Embeddings of the whole item catalogue, [items, outDim], in chunks, without gradients. */
  public Tensor itemEmbeddings() {
    int n = item.data().entities();
    int[] all = new int[n];
    for (int i = 0; i < n; i++) {
      all[i] = i;
    }
    Tensor out = Tensor.zeros(n, config.item().outDim());
    embedAll(item, all, n, out, 4096);
    return out;
  }

  /** Writes the config (metadata) and every parameter into {@code bundle}. */
  public void save(TensorBundle bundle) {
    for (Map.Entry<String, String> e : config.toMap().entrySet()) {
      bundle.meta("model." + e.getKey(), e.getValue());
    }
    String hashing = idHashing();
    if (hashing != null) {
      bundle.meta(ID_HASH, hashing);
    }
    for (Parameter p : params) {
      bundle.put(PARAM_PREFIX + p.name(), p.value());
    }
  }

  /** Reads the model config stored by {@link #save}. */
  public static ModelConfig configOf(TensorBundle bundle) {
    Map<String, String> m = new java.util.LinkedHashMap<>();
    for (Map.Entry<String, String> e : bundle.metadata().entrySet()) {
      if (e.getKey().startsWith("model.")) {
        m.put(e.getKey().substring("model.".length()), e.getValue());
      }
    }
    return ModelConfig.fromMap(m);
  }

  /**
   * What a hashed ID table hashes: "raw_id" (the raw id's key, {@link TowerData#idKeys}) or "index"
   * (the row index, as models saved before raw-id hashing did); null without a hashed table.
   */
  private String idHashing() {
    for (Tower t : List.of(query, item)) {
      if (t.idTable() != null && t.idTable().isHashed()) {
        return t.data().idKeys() != null ? "raw_id" : "index";
      }
    }
    return null;
  }

  /**
   * Copies the parameters saved by {@link #save} into this model (shapes must match, every value
   * finite).
   */
  public void load(TensorBundle bundle) {
    String hashing = idHashing();
    if (hashing != null) {
      String saved = bundle.meta(ID_HASH) == null ? "index" : bundle.meta(ID_HASH);
      if (!saved.equals(hashing)) {
        throw new IllegalArgumentException(
            "checkpoint's hashed ids map the "
                + saved
                + " to a bucket, this model the "
                + hashing
                + ": the rows would not match (retrain the model)");
      }
    }
    for (Parameter p : params) {
      String key = PARAM_PREFIX + p.name();
      if (!bundle.has(key)) {
        throw new IllegalArgumentException("checkpoint lacks parameter " + p.name());
      }
      Tensor t = bundle.tensor(key);
      if (!t.sameShape(p.value())) {
        throw new IllegalArgumentException(
            "checkpoint parameter "
                + p.name()
                + " is "
                + t.shape()
                + ", model has "
                + p.value().shape());
      }
      for (int k = 0; k < t.size(); k++) {
        if (!Double.isFinite(t.getFlat(k))) {
          throw new IllegalArgumentException(
              "checkpoint parameter "
                  + p.name()
                  + " holds "
                  + t.getFlat(k)
                  + " at element "
                  + k
                  + " (a diverged run or a damaged file): refused");
        }
      }
      p.value().copyFrom(t);
    }
  }
}
