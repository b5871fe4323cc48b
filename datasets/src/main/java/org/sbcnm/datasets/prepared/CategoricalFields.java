package org.sbcnm.datasets.prepared;

/**
 * Categorical side fields of every row (user or item): {@code codes[row · fields + f]} is the
 * non-negative code of field f; {@code cardinality(f)} = max code + 1.
 */
public final class CategoricalFields {
  private final int rows;
  private final int fields;
  private final int[] codes;
  private final int[] cardinalities;

  public CategoricalFields(int rows, int fields, int[] codes) {
    if ((long) rows * fields != codes.length) {
      throw new IllegalArgumentException(
          "categorical fields: " + codes.length + " codes for [" + rows + ", " + fields + "]");
    }
    this.rows = rows;
    this.fields = fields;
    this.codes = codes;
    this.cardinalities = new int[fields];
    for (int k = 0; k < codes.length; k++) {
      if (codes[k] < 0) {
        throw new IllegalArgumentException(
            "categorical fields: row "
                + (k / fields)
                + " field "
                + (k % fields)
                + " has negative code "
                + codes[k]);
      }
      cardinalities[k % fields] = Math.max(cardinalities[k % fields], codes[k] + 1);
    }
  }

  public int rows() {
    return rows;
  }

  public int fields() {
    return fields;
  }

  public int code(int row, int field) {
    return codes[row * fields + field];
  }

  public int cardinality(int field) {
    return cardinalities[field];
  }

  /** The codes, row-major (not a copy). */
  public int[] codes() {
    return codes;
  }
}
