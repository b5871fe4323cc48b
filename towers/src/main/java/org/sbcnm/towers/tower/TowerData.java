package org.sbcnm.towers.tower;

import org.sbcnm.engine.sparse.CsrMatrix;
import org.sbcnm.engine.tensor.Tensor;

/**
 * What a tower can read about its entities (users or items), indexed 0..entities−1.
 *
 * @param entities number of users or items
 * @param dense dense features [entities, d] (float32), or null
 * @param sideCodes categorical fields, row-major [entities · fields], or null
 * @param sideCardinalities cardinality of each field (length = fields), or null
 * @param itemGraph symmetric item adjacency [entities, entities] for GCN towers, or null
 * @param historyItems catalogue size for history bags (query towers), or 0
 * @param idKeys the 64-bit hash of each entity's raw id, which a hashed ID table maps to a bucket
 *     (so an id never seen in training maps the same way); null to hash the row index instead
 */
public record TowerData(
    int entities,
    Tensor dense,
    int[] sideCodes,
    int[] sideCardinalities,
    CsrMatrix itemGraph,
    int historyItems,
    long[] idKeys) {
  public TowerData {
    if (entities < 1) {
      throw new IllegalArgumentException("tower data: need at least one entity, got " + entities);
    }
    if (dense != null && dense.rows() != entities) {
      throw new IllegalArgumentException(
          "tower data: dense features " + dense.shape() + " for " + entities + " entities");
    }
    if (idKeys != null && idKeys.length != entities) {
      throw new IllegalArgumentException(
          "tower data: " + idKeys.length + " id keys for " + entities + " entities");
    }
    if ((sideCodes == null) != (sideCardinalities == null)) {
      throw new IllegalArgumentException("tower data: side codes and cardinalities go together");
    }
    if (sideCodes != null && sideCodes.length != entities * sideCardinalities.length) {
      throw new IllegalArgumentException(
          "tower data: "
              + sideCodes.length
              + " side codes for "
              + entities
              + " x "
              + sideCardinalities.length);
    }
  }

  public int sideFields() {
    return sideCardinalities == null ? 0 : sideCardinalities.length;
  }
}
