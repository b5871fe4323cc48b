package org.sbcnm.datasets.graph;

import it.unimi.dsi.fastutil.doubles.DoubleArrayList;
import it.unimi.dsi.fastutil.ints.IntArrayList;
import org.sbcnm.datasets.prepared.Interactions;
import org.sbcnm.datasets.prepared.ItemEdges;

/**
 * The item co-occurrence graph: two items co-occur once for every user who interacted with both;
 * each item keeps its {@code topK} most co-occurring neighbours (count descending, then index
 * ascending), weight = count. Build it from training interactions only, so that no held-out
 * interaction leaks into a GCN tower.
 */
public final class CooccurrenceGraph {
  private CooccurrenceGraph() {}

  public static ItemEdges build(Interactions train, int numUsers, int numItems, int topK) {
    if (topK < 1) {
      throw new IllegalArgumentException("co-occurrence graph: top-k must be >= 1, got " + topK);
    }
    int[][] byUser = distinctItemsPerUser(train, numUsers);
    int[] itemUserCount = new int[numItems + 1];
    for (int[] items : byUser) {
      for (int i : items) {
        itemUserCount[i + 1]++;
      }
    }
    for (int i = 0; i < numItems; i++) {
      itemUserCount[i + 1] += itemUserCount[i];
    }
    int[] itemUsers = new int[itemUserCount[numItems]];
    int[] fill = java.util.Arrays.copyOf(itemUserCount, numItems);
    for (int u = 0; u < numUsers; u++) {
      for (int i : byUser[u]) {
        itemUsers[fill[i]++] = u;
      }
    }
    int[] counts = new int[numItems];
    int[] touched = new int[numItems];
    IntArrayList src = new IntArrayList();
    IntArrayList dst = new IntArrayList();
    DoubleArrayList weight = new DoubleArrayList();
    long[] keyed = new long[numItems];
    for (int s = 0; s < numItems; s++) {
      int nt = 0;
      for (int k = itemUserCount[s]; k < itemUserCount[s + 1]; k++) {
        for (int d : byUser[itemUsers[k]]) {
          if (d != s) {
            if (counts[d]++ == 0) {
              touched[nt++] = d;
            }
          }
        }
      }
      // Sort by (count desc, index asc) through one packed key per neighbour.
      for (int t = 0; t < nt; t++) {
        int d = touched[t];
        keyed[t] = ((long) (Integer.MAX_VALUE - counts[d]) << 32) | d;
      }
      java.util.Arrays.sort(keyed, 0, nt);
      for (int t = 0; t < Math.min(topK, nt); t++) {
        int d = (int) keyed[t];
        src.add(s);
        dst.add(d);
        weight.add(counts[d]);
      }
      for (int t = 0; t < nt; t++) {
        counts[touched[t]] = 0;
      }
    }
    return new ItemEdges(src.toIntArray(), dst.toIntArray(), weight.toDoubleArray());
  }

  private static int[][] distinctItemsPerUser(Interactions train, int numUsers) {
    int[] count = new int[numUsers];
    for (int k = 0; k < train.size(); k++) {
      count[train.user(k)]++;
    }
    int[][] out = new int[numUsers][];
    for (int u = 0; u < numUsers; u++) {
      out[u] = new int[count[u]];
      count[u] = 0;
    }
    for (int k = 0; k < train.size(); k++) {
      int u = train.user(k);
      out[u][count[u]++] = train.item(k);
    }
    for (int u = 0; u < numUsers; u++) {
      out[u] = java.util.Arrays.stream(out[u]).sorted().distinct().toArray();
    }
    return out;
  }
}
