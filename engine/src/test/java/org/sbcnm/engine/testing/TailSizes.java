package org.sbcnm.engine.testing;

import java.util.TreeSet;

/** Vector lengths that exercise every loop tail of a kernel with the given lane count. */
public final class TailSizes {
  private TailSizes() {}

  /**
   * 1, 2, 3, L−1, L, L+1, 2L−1, 2L, 2L+1, 4L+3, the primes 13, 207 (= 9·23, odd), 1021, and 4099.
   */
  public static int[] forLanes(int lanes) {
    TreeSet<Integer> s = new TreeSet<>();
    int l = Math.max(lanes, 1);
    for (int n :
        new int[] {
          1, 2, 3, l - 1, l, l + 1, 2 * l - 1, 2 * l, 2 * l + 1, 4 * l + 3, 13, 207, 1021, 4099
        }) {
      if (n > 0) {
        s.add(n);
      }
    }
    return s.stream().mapToInt(Integer::intValue).toArray();
  }
}
