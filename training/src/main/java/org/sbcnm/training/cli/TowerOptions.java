package org.sbcnm.training.cli;

import org.sbcnm.datasets.prepared.PreparedDataset;
import org.sbcnm.towers.config.ModelConfig;
import org.sbcnm.towers.config.TowerConfig;
import org.sbcnm.towers.config.TowerKind;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/** The options of {@code train} that shape the two towers and their scores. */
final class TowerOptions {
  @Option(
      names = "--query_tower",
      description =
          "mlp, id, history or dcn (default: history, the bag of the user's earlier items; mlp in the original five-file form).")
  String queryTower;

  @Option(
      names = "--item_tower",
      description =
          "mlp, id, dcn, gcn or lightgcn (default: id; mlp in the original five-file form).")
  String itemTower;

  @Option(
      names = "--use_gcn",
      description = "Item tower: GCN over the item graph (= --item_tower gcn).")
  boolean useGcn;

  @Option(
      names = "--use_dcn_query",
      description = "Query tower: DCN-v2 cross layers (= --query_tower dcn).")
  boolean useDcnQuery;

  @Option(
      names = "--use_dcn_item",
      description = "Item tower: DCN-v2 cross layers (= --item_tower dcn).")
  boolean useDcnItem;

  @Option(
      names = "--cross_layers",
      defaultValue = "2",
      description = "Cross layers of a DCN tower.")
  int crossLayers;

  @Option(
      names = "--gcn_layers",
      defaultValue = "2",
      description = "Propagation layers of a GCN item tower.")
  int gcnLayers;

  @Option(
      names = "--gcn_mode",
      defaultValue = "fixed",
      description =
          "A GCN item tower's form: fixed (the item features propagated once, then an MLP) or lightgcn (item-ID embeddings propagated every step and trained through the graph, = --item_tower lightgcn).")
  String gcnMode;

  @Option(
      names = "--h1",
      defaultValue = "256",
      description = "Width of the first hidden layer of each tower's MLP.")
  int h1;

  @Option(names = "--h2", defaultValue = "128", description = "Width of the second hidden layer.")
  int h2;

  @Option(
      names = "--out_dim",
      defaultValue = "64",
      description = "Embedding dimension of both towers.")
  int outDim;

  @Option(
      names = "--id_dim",
      defaultValue = "64",
      description = "Width of ID and history embeddings.")
  int idDim;

  @Option(
      names = "--side_dim",
      defaultValue = "8",
      description = "Width of each categorical side-field embedding (ID and history towers).")
  int sideDim;

  @Option(
      names = "--id_hash_buckets",
      defaultValue = "0",
      description = "Hashed ID embeddings with this many rows (0 = one per id).")
  int idHashBuckets;

  @Option(names = "--use_dense", description = "ID query tower also reads the dense features.")
  boolean useDense;

  @Option(
      names = "--temperature",
      defaultValue = "0.05",
      description = "Softmax temperature τ: logits are cosine / τ.")
  double temperature;

  /**
   * The model these options describe for {@code data}, seeded by {@code seed}; {@code spec} tells
   * which flags were given.
   *
   * <p>Default towers, by measurement ({@code bench/ablation.sh}): a bag of the user's earlier
   * items as the query tower and an ID item tower learn collaborative signal that feature MLPs miss
   * (on MovieLens 100K, validation recall@50 about 0.49 against 0.15). The original project's
   * five-file form ({@code originalForm}) keeps its MLP towers over the features.
   */
  ModelConfig modelConfig(PreparedDataset data, long seed, CommandSpec spec, boolean originalForm) {
    String queryKind = queryTower != null ? queryTower : originalForm ? "mlp" : "history";
    String itemKind = itemTower != null ? itemTower : originalForm ? "mlp" : "id";
    TowerKind q =
        useDcnQuery ? TowerKind.DCN : TowerKind.parse(queryKind, TowerKind.QUERY, "--query_tower");
    TowerKind i =
        useGcn
            ? TowerKind.GCN
            : useDcnItem
                ? TowerKind.DCN
                : TowerKind.parse(itemKind, TowerKind.ITEM, "--item_tower");
    if (!gcnMode.equals("fixed") && !gcnMode.equals("lightgcn")) {
      throw new CliException("--gcn_mode must be fixed or lightgcn, got '" + gcnMode + "'");
    }
    if (gcnMode.equals("lightgcn")) {
      if (i != TowerKind.GCN && i != TowerKind.LIGHTGCN) {
        throw new CliException("--gcn_mode lightgcn applies to a GCN item tower (--use_gcn)");
      }
      i = TowerKind.LIGHTGCN;
    }
    q =
        featurelessSide(
            spec, q, data.queryFeatures().cols(), "--query_tower", PreparedDataset.Q_FEATS);
    i =
        featurelessSide(
            spec, i, data.itemFeatures().cols(), "--item_tower", PreparedDataset.I_FEATS);
    TowerConfig base =
        new TowerConfig(
            TowerKind.MLP, h1, h2, outDim, idDim, sideDim, crossLayers, gcnLayers, 0, false);
    return new ModelConfig(
        base.withKind(q).withHashBuckets(idHashBuckets).withDense(useDense),
        base.withKind(i),
        temperature,
        seed);
  }

  /**
   * The tower kind for a side whose features file has {@code width} columns: a tower that reads
   * features cannot be built on none, so the default becomes an ID tower (and says so); a kind the
   * user asked for by flag is refused instead.
   */
  private TowerKind featurelessSide(
      CommandSpec spec, TowerKind kind, int width, String flag, String file) {
    if (width > 0 || !kind.readsFeatures()) {
      return kind;
    }
    boolean chosen =
        spec.commandLine().getParseResult().hasMatchedOption(flag)
            || (flag.equals("--query_tower") && useDcnQuery)
            || (flag.equals("--item_tower") && (useGcn || useDcnItem));
    if (chosen) {
      throw new CliException(
          file
              + " has no feature columns, so a "
              + kind.label()
              + " tower has nothing to read; use "
              + flag
              + " id (or prepare the data with feature files)");
    }
    spec.commandLine()
        .getErr()
        .println(file + " has no feature columns: training an id tower (" + flag + " id)");
    return TowerKind.ID;
  }
}
