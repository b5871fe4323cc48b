package org.sbcnm.training.loop;

import org.sbcnm.datasets.prepared.CategoricalFields;
import org.sbcnm.datasets.prepared.PreparedDataset;
import org.sbcnm.engine.tensor.DType;
import org.sbcnm.towers.config.ModelConfig;
import org.sbcnm.towers.config.TowerKind;
import org.sbcnm.towers.tower.TowerData;
import org.sbcnm.towers.tower.TwoTowerModel;

/** Builds a two-tower model over a prepared dataset. */
public final class Models {
  private Models() {}

  /**
   * The model for {@code config} whose towers read this dataset's features, side fields and graph.
   */
  public static TwoTowerModel build(ModelConfig config, PreparedDataset data) {
    CategoricalFields qs = data.querySide();
    CategoricalFields is = data.itemSide();
    TowerData query =
        new TowerData(
            data.numUsers(),
            data.queryFeatures(),
            qs == null ? null : qs.codes(),
            cardinalities(qs),
            null,
            data.numItems());
    boolean gcn = config.item().kind() == TowerKind.GCN;
    if (gcn && data.itemEdges() == null) {
      throw new IllegalArgumentException(
          "the gcn item tower needs item_edges.csv or item_adj.npy in the dataset");
    }
    TowerData item =
        new TowerData(
            data.numItems(),
            data.itemFeatures(),
            is == null ? null : is.codes(),
            cardinalities(is),
            gcn ? data.itemEdges().adjacency(data.numItems()) : null,
            0);
    return new TwoTowerModel(config, query, item, DType.FLOAT32);
  }

  private static int[] cardinalities(CategoricalFields f) {
    if (f == null) {
      return null;
    }
    int[] c = new int[f.fields()];
    for (int k = 0; k < c.length; k++) {
      c[k] = Math.max(1, f.cardinality(k));
    }
    return c;
  }
}
