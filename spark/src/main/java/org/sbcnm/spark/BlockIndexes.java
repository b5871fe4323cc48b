package org.sbcnm.spark;

import java.util.LinkedHashMap;
import java.util.Map;
import org.sbcnm.training.retrieval.ExactIndex;

/**
 * The exact indexes of the item blocks an executor JVM scores against, embedded once each. The job
 * runs a block's tasks one after another (block-major task order), so a few recent blocks serve
 * every task; the oldest is dropped beyond {@value #KEEP}.
 */
final class BlockIndexes {
  private static final int KEEP = 4;
  private static final Map<String, ExactIndex> CACHE = new LinkedHashMap<>(8, 0.75f, true);

  private BlockIndexes() {}

  static ExactIndex get(String key, ItemBlock block, LoadedModel m) {
    String id = key + '@' + block.offset();
    synchronized (CACHE) {
      ExactIndex index = CACHE.get(id);
      if (index != null) {
        return index;
      }
    }
    // Embedded outside the lock: another block's tasks go on meanwhile.
    ExactIndex index = new ExactIndex(block.embed(m));
    synchronized (CACHE) {
      CACHE.putIfAbsent(id, index);
      while (CACHE.size() > KEEP) {
        CACHE.remove(CACHE.keySet().iterator().next());
      }
      return CACHE.get(id) != null ? CACHE.get(id) : index;
    }
  }

  /** Forgets every block of run {@code key}. */
  static void release(String key) {
    synchronized (CACHE) {
      CACHE.keySet().removeIf(id -> id.startsWith(key + '@'));
    }
  }
}
