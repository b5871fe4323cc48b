package org.sbcnm.training.loop;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.sbcnm.datasets.prepared.IdMap;
import org.sbcnm.engine.io.FormatException;
import org.sbcnm.engine.io.TensorBundle;
import org.sbcnm.engine.optim.Optimizer;
import org.sbcnm.engine.param.Parameter;
import org.sbcnm.engine.tensor.Tensor;
import org.sbcnm.towers.config.ModelConfig;
import org.sbcnm.towers.tower.TwoTowerModel;
import org.sbcnm.training.sampling.SamplingProbabilities;

/**
 * Carries a checkpoint's parameters and optimiser state into a model built on other data, matching
 * rows by raw id: a warm start ({@link Trainer#warmStart}).
 *
 * <p>Each parameter is one of:
 *
 * <ul>
 *   <li>a table with one row per user ({@code query.id}) or per item ({@code item.id}, {@code
 *       *.history}): row j of the new model takes the saved row of the same raw id; a raw id the
 *       checkpoint never saw keeps the row the model's seed gave it;
 *   <li>a side-field table ({@code *.side.f}), one row per code: codes the checkpoint has keep
 *       their rows, new (larger) codes keep the seeded rows;
 *   <li>anything else (hashed id tables, cross and MLP layers): the same shape, copied whole; a
 *       different shape (the dense features changed width) is refused, naming the parameter.
 * </ul>
 *
 * The optimiser's per-element slots (Adam's moments, Adagrad's sums) follow their parameter's rows
 * the same way, and its step count goes on, so Adam's bias correction continues where it was.
 */
final class WarmStart {
  private final TensorBundle saved;
  private final ModelConfig config;
  private final int[] userSource;
  private final int[] itemSource;
  private final int savedUsers;
  private final int savedItems;

  /**
   * @param saved the checkpoint read
   * @param config the model config (the checkpoint's)
   * @param users the new data's users
   * @param items the new data's items
   */
  WarmStart(TensorBundle saved, ModelConfig config, IdMap users, IdMap items)
      throws FormatException {
    this.saved = saved;
    this.config = config;
    IdMap before = CheckpointCodec.readIds(saved, "ids.query");
    IdMap beforeItems = CheckpointCodec.readIds(saved, "ids.item");
    this.userSource = sources(before, users);
    this.itemSource = sources(beforeItems, items);
    this.savedUsers = before.size();
    this.savedItems = beforeItems.size();
  }

  /** For each index of {@code now}, the index of the same raw id in {@code before}, or −1. */
  static int[] sources(IdMap before, IdMap now) {
    int[] s = new int[now.size()];
    for (int j = 0; j < s.length; j++) {
      s[j] = before.indexOf(now.rawId(j));
    }
    return s;
  }

  /** What a warm start may not change: the optimiser's and the estimator's kind and shape. */
  private static final List<String> FIXED =
      List.of("optimizer", "correction", "hash_buckets", "hashes", "alpha");

  /** Refuses a config that changes what the carried state depends on, naming the field. */
  static void requireSameState(TrainConfig saved, TrainConfig config) {
    Map<String, String> before = saved.toMap();
    Map<String, String> after = config.toMap();
    for (String key : FIXED) {
      if (!before.get(key).equals(after.get(key))) {
        throw new IllegalArgumentException(
            "a warm start keeps the saved "
                + key
                + " ("
                + before.get(key)
                + "), whose state it carries; got "
                + after.get(key));
      }
    }
  }

  /**
   * The saved sampling-probability state carried to the new catalogue, or a fresh one of {@code
   * config} with {@code reset}; null when the run trains without correction.
   */
  SamplingProbabilities probabilities(TrainConfig config, int numItems, boolean reset)
      throws FormatException {
    if (reset) {
      return config.correction().create(numItems);
    }
    SamplingProbabilities old = CheckpointCodec.readProbabilities(saved, savedItems);
    return old == null ? null : old.carriedTo(itemSource);
  }

  /** Users of the new data the checkpoint knows. */
  int knownUsers() {
    return known(userSource);
  }

  /** Items of the new data the checkpoint knows. */
  int knownItems() {
    return known(itemSource);
  }

  private static int known(int[] sources) {
    int n = 0;
    for (int s : sources) {
      n += s >= 0 ? 1 : 0;
    }
    return n;
  }

  /** Copies the saved parameters into {@code model} and the saved slots into {@code optimizer}. */
  void apply(TwoTowerModel model, Optimizer optimizer) throws FormatException {
    Map<String, Tensor> slots = new LinkedHashMap<>(optimizer.state());
    for (Parameter p : model.parameters()) {
      Tensor from = saved.requireTensor("param/" + p.name());
      int[] rows = rowSources(p, from);
      requireFinite(p.name(), from);
      copyRows(from, p.value(), rows);
      for (Map.Entry<String, Tensor> e : slots.entrySet()) {
        if (e.getKey().startsWith(p.name() + "/")) {
          copyRows(saved.requireTensor("optim/" + e.getKey()), e.getValue(), rows);
        }
      }
    }
    optimizer.loadState(slots, saved.longMeta("optimizer.steps", 0, Long.MAX_VALUE));
  }

  /**
   * Where each row of {@code p} comes from in {@code from}, the saved value: its index there, or −1
   * to keep the seeded row.
   */
  int[] rowSources(Parameter p, Tensor from) throws FormatException {
    String name = p.name();
    if (from.cols() != p.cols()) {
      throw mismatch(name, from, p);
    }
    if (name.equals("query.id") && config.query().hashBuckets() == 0) {
      return requireRows(from, savedUsers, name, "users");
    }
    if ((name.equals("item.id") && config.item().hashBuckets() == 0) || name.endsWith(".history")) {
      return requireRows(from, savedItems, name, "items");
    }
    boolean side = name.contains(".side.");
    if (!side && from.rows() != p.rows()) {
      throw mismatch(name, from, p);
    }
    int[] rows = new int[p.rows()];
    for (int r = 0; r < rows.length; r++) {
      rows[r] = r < from.rows() ? r : -1;
    }
    return rows;
  }

  /** The row sources of an id table, once its saved rows are checked against the saved ids. */
  private int[] requireRows(Tensor from, int ids, String name, String what) throws FormatException {
    if (from.rows() != ids) {
      throw new FormatException(
          saved.source()
              + ": parameter "
              + name
              + " has "
              + from.rows()
              + " rows for the checkpoint's "
              + ids
              + " "
              + what);
    }
    return what.equals("users") ? userSource : itemSource;
  }

  private FormatException mismatch(String name, Tensor from, Parameter p) {
    return new FormatException(
        saved.source()
            + ": parameter "
            + name
            + " is "
            + from.shape()
            + " in the checkpoint but "
            + p.value().shape()
            + " on this data (its features or side fields differ in width): a warm start"
            + " needs the same towers");
  }

  private void requireFinite(String name, Tensor t) throws FormatException {
    for (int k = 0; k < t.size(); k++) {
      if (!Double.isFinite(t.getFlat(k))) {
        throw new FormatException(
            saved.source() + ": parameter " + name + " holds " + t.getFlat(k) + ": refused");
      }
    }
  }

  /** Row r of {@code to} becomes row {@code rows[r]} of {@code from} where that is ≥ 0. */
  static void copyRows(Tensor from, Tensor to, int[] rows) {
    int d = to.cols();
    for (int r = 0; r < rows.length; r++) {
      if (rows[r] >= 0) {
        for (int c = 0; c < d; c++) {
          to.set(r, c, from.get(rows[r], c));
        }
      }
    }
  }
}
