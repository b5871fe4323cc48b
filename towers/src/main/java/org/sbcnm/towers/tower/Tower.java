package org.sbcnm.towers.tower;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;
import org.sbcnm.engine.autograd.Node;
import org.sbcnm.engine.autograd.Tape;
import org.sbcnm.engine.ops.Concat;
import org.sbcnm.engine.ops.Elementwise;
import org.sbcnm.engine.ops.Embedding;
import org.sbcnm.engine.ops.L2Normalize;
import org.sbcnm.engine.ops.SparseDense;
import org.sbcnm.engine.param.Parameter;
import org.sbcnm.engine.tensor.DType;
import org.sbcnm.engine.tensor.Tensor;
import org.sbcnm.towers.config.TowerConfig;
import org.sbcnm.towers.config.TowerKind;
import org.sbcnm.towers.layers.CrossNetwork;
import org.sbcnm.towers.layers.EmbeddingTable;
import org.sbcnm.towers.layers.GcnPropagation;
import org.sbcnm.towers.layers.Layer;
import org.sbcnm.towers.layers.Mlp;

/**
 * One tower: a batch of entity indices → L2-normalised embeddings [B, out].
 *
 * <pre>
 *   mlp:     x = dense features
 *   id:      x = [ID embedding | side-field embeddings | dense features if use_dense]
 *   history: x = [mean of the bag's item embeddings | side-field embeddings]
 *   dcn:     x = CrossNetwork(dense features)            (DCN-v2, Wang et al. 2021)
 *   gcn:     x = (Ŝᵏ · item features)[batch]             (Ŝ = D^-1/2 (A + I) D^-1/2, precomputed)
 *   lightgcn: x = [(Σ_{l=0..k} Ŝˡ·E / (k + 1))[batch] | side-field embeddings]
 *            (E the item-ID table [items, id_dim], propagated every call, gradients through Ŝ)
 *   out = L2Normalize(MLP_{h1, h2, out}(x))
 * </pre>
 *
 * Side-field embeddings have width {@code side_dim}, one table per field, initialised N(0, 1) as
 * torch's {@code nn.Embedding}; ID tables likewise (hashed when {@code hash_buckets} &gt; 0).
 */
public final class Tower implements Layer {
  private final String name;
  private final TowerConfig config;
  private final TowerData data;
  private final Tensor input;
  private final EmbeddingTable ids;
  private final EmbeddingTable[] side;
  private final EmbeddingTable bagTable;
  private final CrossNetwork cross;
  private final GcnPropagation propagation;
  private final Mlp mlp;
  private final List<Parameter> params;
  private final Node[] parts = new Node[8];
  private int[][] sideCodes = new int[0][];
  private long[] keys = new long[0];

  /**
   * @param sharedItemTable for a history tower, the item tower's ID table to pool (or null to own
   *     one); ignored by other kinds
   */
  public Tower(
      String name,
      TowerConfig config,
      TowerData data,
      DType type,
      SplittableRandom rng,
      EmbeddingTable sharedItemTable) {
    this.name = name;
    this.config = config;
    this.data = data;
    TowerKind kind = config.kind();
    boolean needsDense = config.readsFeatures();
    if (needsDense && data.dense() == null) {
      throw new IllegalArgumentException(
          name + ": a " + kind.label() + " tower needs dense features");
    }
    if ((kind == TowerKind.GCN || kind == TowerKind.LIGHTGCN) && data.itemGraph() == null) {
      throw new IllegalArgumentException(
          name + ": a gcn tower needs an item graph (item_edges.csv or item_adj.npy)");
    }
    if (kind == TowerKind.HISTORY && data.historyItems() < 1) {
      throw new IllegalArgumentException(name + ": a history tower needs the item catalogue size");
    }
    if (kind == TowerKind.LIGHTGCN && config.hashBuckets() > 0) {
      throw new IllegalArgumentException(
          name + ": a lightgcn tower has one row per item, not hashed");
    }
    List<Parameter> ps = new ArrayList<>();
    int width = 0;
    if (kind == TowerKind.ID || kind == TowerKind.LIGHTGCN) {
      ids =
          config.hashBuckets() > 0
              ? EmbeddingTable.hashed(
                  name + ".id",
                  config.hashBuckets(),
                  config.idDim(),
                  1.0,
                  rng.nextLong(),
                  type,
                  rng)
              : EmbeddingTable.direct(
                  name + ".id", data.entities(), config.idDim(), 1.0, type, rng);
      ps.addAll(ids.parameters());
      width += config.idDim();
    } else {
      ids = null;
    }
    if (kind == TowerKind.HISTORY) {
      if (sharedItemTable != null && sharedItemTable.dim() == config.idDim()) {
        bagTable = sharedItemTable;
      } else {
        bagTable =
            EmbeddingTable.direct(
                name + ".history", data.historyItems(), config.idDim(), 1.0, type, rng);
        ps.addAll(bagTable.parameters());
      }
      width += config.idDim();
    } else {
      bagTable = null;
    }
    if (kind == TowerKind.ID || kind == TowerKind.HISTORY || kind == TowerKind.LIGHTGCN) {
      side = new EmbeddingTable[data.sideFields()];
      for (int f = 0; f < side.length; f++) {
        side[f] =
            EmbeddingTable.direct(
                name + ".side." + f, data.sideCardinalities()[f], config.sideDim(), 1.0, type, rng);
        ps.addAll(side[f].parameters());
        width += config.sideDim();
      }
    } else {
      side = new EmbeddingTable[0];
    }
    if (needsDense) {
      width += data.dense().cols();
    }
    propagation =
        kind == TowerKind.LIGHTGCN
            ? new GcnPropagation(data.itemGraph(), config.gcnLayers())
            : null;
    if (kind == TowerKind.GCN) {
      GcnPropagation gcn = new GcnPropagation(data.itemGraph(), config.gcnLayers());
      // Features are constant, so their propagation is too: compute it once.
      Tensor h = data.dense().copy(type);
      Tensor next = Tensor.zeros(type, h.rows(), h.cols());
      for (int k = 0; k < config.gcnLayers(); k++) {
        gcn.normalized().multiply(h, next, false);
        Tensor swap = h;
        h = next;
        next = swap;
      }
      input = h;
    } else {
      input = data.dense() == null ? null : data.dense().copy(type);
    }
    if (kind == TowerKind.DCN) {
      cross = new CrossNetwork(name + ".cross", width, config.crossLayers(), type, rng);
      ps.addAll(cross.parameters());
    } else {
      cross = null;
    }
    if (parts.length < side.length + 2) {
      throw new IllegalArgumentException(
          name + ": at most " + (parts.length - 2) + " side fields, got " + side.length);
    }
    mlp =
        new Mlp(
            name + ".mlp", width, new int[] {config.h1(), config.h2(), config.outDim()}, type, rng);
    ps.addAll(mlp.parameters());
    params = Collections.unmodifiableList(ps);
  }

  /** The L2-normalised embeddings [batch.size(), out] of a batch. */
  public Node embed(Tape t, TowerBatch batch) {
    int n = batch.size();
    int[] idx = batch.ids();
    for (int r = 0; r < n; r++) {
      if (idx[r] < 0 || idx[r] >= data.entities()) {
        throw new IllegalArgumentException(
            name + ": index " + idx[r] + " at row " + r + " outside 0.." + (data.entities() - 1));
      }
    }
    int count = 0;
    switch (config.kind()) {
      case ID:
        if (ids.isHashed() && data.idKeys() != null) {
          long[] k = keyBuffer(n);
          for (int r = 0; r < n; r++) {
            k[r] = data.idKeys()[idx[r]];
          }
          parts[count++] = ids.lookupKeys(t, k, n);
        } else {
          parts[count++] = ids.lookup(t, idx, 0, n);
        }
        count = addSide(t, idx, n, count);
        if (config.useDense()) {
          parts[count++] = Embedding.gather(t, t.constant(input), idx, 0, n);
        }
        break;
      case HISTORY:
        parts[count++] = bagTable.bagMean(t, batch.bagOffsets(), n, batch.bagIds());
        count = addSide(t, idx, n, count);
        break;
      case LIGHTGCN:
        parts[count++] = Embedding.gather(t, propagated(t), idx, 0, n);
        count = addSide(t, idx, n, count);
        break;
      default:
        parts[count++] = Embedding.gather(t, t.constant(input), idx, 0, n);
    }
    return head(t, count);
  }

  /**
   * The embeddings [n, out] of n entities this tower's data does not hold, described directly: an
   * ID tower with a hashed table takes each one's raw-id key ({@link TowerData#idKeys}), side codes
   * and, with {@code use_dense}, dense features. An entity whose raw id appeared in training gets
   * the embedding it had there.
   *
   * @param keys the raw-id keys, n entries
   * @param codes side-field codes, row-major [n · fields] (null when the tower has none)
   * @param dense dense features [n, d] when the tower reads them, else null
   */
  public Node embedUnseen(Tape t, long[] keys, int[] codes, Tensor dense, int n) {
    if (ids == null || !ids.isHashed()) {
      throw new IllegalStateException(
          name + ": only an id tower with hashed ids can embed an id it never saw");
    }
    requireCodes(codes, n);
    if (config.useDense() && (dense == null || dense.rows() != n || dense.cols() != input.cols())) {
      throw new IllegalArgumentException(
          name + ": dense features [" + n + ", " + input.cols() + "] needed");
    }
    int count = 0;
    parts[count++] = ids.lookupKeys(t, keys, n);
    count = addSideCodes(t, codes, n, count);
    if (config.useDense()) {
      parts[count++] = t.constant(dense.copy(input.dtype()));
    }
    return head(t, count);
  }

  /**
   * The embeddings [n, out] of n entities this tower's data does not hold, from their dense
   * features alone: for the towers that read nothing else (MLP and DCN over the features).
   *
   * @param dense the features [n, d], d the width of the tower's features file
   */
  public Node embedFeatures(Tape t, Tensor dense, int n) {
    if (config.kind() != TowerKind.MLP && config.kind() != TowerKind.DCN) {
      throw new IllegalStateException(
          name + ": a " + config.kind().label() + " tower reads more than dense features");
    }
    if (dense == null || dense.rows() != n || dense.cols() != input.cols()) {
      throw new IllegalArgumentException(
          name + ": dense features [" + n + ", " + input.cols() + "] needed");
    }
    parts[0] = t.constant(dense.copy(input.dtype()));
    return head(t, 1);
  }

  /**
   * The embeddings [n, out] of n users described by their items alone, as a history tower sees
   * them: the mean of the items' embeddings (user r's items are {@code items[offsets[r],
   * offsets[r+1])}, at least one each), with the users' side codes when the tower has side fields.
   * This serves a user the idmap does not hold from what they did.
   *
   * @param codes side-field codes, row-major [n · fields] (null when the tower has none)
   */
  public Node embedHistory(Tape t, int[] offsets, int[] items, int[] codes, int n) {
    if (bagTable == null) {
      throw new IllegalStateException(name + ": only a history tower embeds a user by items");
    }
    for (int r = 0; r < n; r++) {
      if (offsets[r + 1] <= offsets[r]) {
        throw new IllegalArgumentException(name + ": user " + r + " has no items");
      }
    }
    for (int k = 0; k < offsets[n]; k++) {
      if (items[k] < 0 || items[k] >= data.historyItems()) {
        throw new IllegalArgumentException(
            name + ": item " + items[k] + " outside 0.." + (data.historyItems() - 1));
      }
    }
    requireCodes(codes, n);
    int count = 0;
    parts[count++] = bagTable.bagMean(t, offsets, n, items);
    count = addSideCodes(t, codes, n, count);
    return head(t, count);
  }

  private void requireCodes(int[] codes, int n) {
    int fields = side.length;
    if (fields > 0 && (codes == null || codes.length < n * fields)) {
      throw new IllegalArgumentException(
          name
              + ": "
              + fields
              + " side codes per entity needed, got "
              + (codes == null ? 0 : codes.length / Math.max(1, n)));
    }
  }

  /** Adds the side fields' embeddings of explicit codes (row-major [n · fields]) to the parts. */
  private int addSideCodes(Tape t, int[] codes, int n, int count) {
    int fields = side.length;
    for (int f = 0; f < fields; f++) {
      int[] col = sideColumn(f, n);
      for (int r = 0; r < n; r++) {
        int c = codes[r * fields + f];
        if (c < 0 || c >= side[f].rows()) {
          throw new IllegalArgumentException(
              name + ": side field " + f + " code " + c + " outside 0.." + (side[f].rows() - 1));
        }
        col[r] = c;
      }
      parts[count++] = side[f].lookup(t, col, 0, n);
    }
    return count;
  }

  /**
   * The mean of Ŝ⁰E … ŜᵏE over the whole catalogue [items, id_dim]: every row of E reaches the
   * batch's rows through the graph, so its gradient is dense (every row marked).
   */
  private Node propagated(Tape t) {
    Parameter table = ids.table();
    table.markAllRows();
    Node layer = t.param(table);
    Node sum = layer;
    for (int l = 0; l < propagation.hops(); l++) {
      layer = SparseDense.multiply(t, propagation.normalized(), layer);
      sum = Elementwise.add(t, sum, layer);
    }
    return Elementwise.scale(t, sum, 1.0 / (propagation.hops() + 1));
  }

  /** The concatenated parts, the cross layers if any, the MLP and the normalisation. */
  private Node head(Tape t, int count) {
    Node x = count == 1 ? parts[0] : Concat.columns(t, parts, count);
    if (cross != null) {
      x = cross.forward(t, x);
    }
    return L2Normalize.rows(t, mlp.forward(t, x));
  }

  private long[] keyBuffer(int n) {
    if (keys.length < n) {
      keys = new long[Math.max(n, 16)];
    }
    return keys;
  }

  private int[] sideColumn(int f, int n) {
    if (sideCodes.length != side.length || sideCodes[0].length < n) {
      sideCodes = new int[side.length][Math.max(n, 16)];
    }
    return sideCodes[f];
  }

  private int addSide(Tape t, int[] idx, int n, int count) {
    int fields = side.length;
    if (fields == 0) {
      return count;
    }
    int[] codes = data.sideCodes();
    for (int f = 0; f < fields; f++) {
      int[] col = sideColumn(f, n);
      for (int r = 0; r < n; r++) {
        col[r] = codes[idx[r] * fields + f];
      }
      parts[count++] = side[f].lookup(t, col, 0, n);
    }
    return count;
  }

  public String name() {
    return name;
  }

  public TowerConfig config() {
    return config;
  }

  public TowerData data() {
    return data;
  }

  /** The ID table of an id tower, or null (history towers may share it). */
  /** The MLP head, for tests of what feeds it. */
  Mlp mlp() {
    return mlp;
  }

  public EmbeddingTable idTable() {
    return ids;
  }

  /**
   * The parameters this tower owns and trains; a pooled table of another tower is not among them.
   */
  @Override
  public List<Parameter> parameters() {
    return params;
  }

  /**
   * Every parameter this tower's forward pass reads and its backward pass adds gradients into: its
   * own, and the item tower's ID table when a history tower pools it.
   */
  public List<Parameter> parametersUsed() {
    if (bagTable == null || params.containsAll(bagTable.parameters())) {
      return params;
    }
    List<Parameter> all = new ArrayList<>(params);
    all.addAll(bagTable.parameters());
    return Collections.unmodifiableList(all);
  }
}
