package org.sbcnm.training.retrieval;

/**
 * Items to leave out of each query's results (its training items, typically) as sorted runs: query
 * q excludes {@code items[ptr[q] .. ptr[q+1])}, ascending. No dense mask is ever built.
 *
 * @param ptr per-query offsets (length = queries + 1)
 * @param items the excluded items, ascending within each query
 */
public record Exclusions(int[] ptr, int[] items) {
  /** The runs of rows {@code rows[off, off+n)} of a per-user table (ptr indexed by user). */
  public static Exclusions ofUsers(int[] userPtr, int[] userItems, int[] users, int off, int n) {
    int[] ptr = new int[n + 1];
    for (int r = 0; r < n; r++) {
      int u = users[off + r];
      ptr[r + 1] = ptr[r] + (u < 0 ? 0 : userPtr[u + 1] - userPtr[u]);
    }
    int[] items = new int[ptr[n]];
    for (int r = 0; r < n; r++) {
      int u = users[off + r];
      if (u >= 0) {
        System.arraycopy(userItems, userPtr[u], items, ptr[r], userPtr[u + 1] - userPtr[u]);
      }
    }
    return new Exclusions(ptr, items);
  }
}
