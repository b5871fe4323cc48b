package org.sbcnm.spark;

import org.apache.spark.broadcast.Broadcast;
import org.sbcnm.engine.tensor.Tensor;
import org.sbcnm.training.retrieval.ExactIndex;

/** The exact index over the broadcast item embeddings, built once per executor JVM. */
final class FullIndex {
  private static long id = -1;
  private static ExactIndex index;

  private FullIndex() {}

  static synchronized ExactIndex get(Broadcast<float[]> items, int rows, int dim) {
    if (id != items.id()) {
      index = new ExactIndex(Tensor.wrap(items.value(), rows, dim));
      id = items.id();
    }
    return index;
  }

  static synchronized void release() {
    id = -1;
    index = null;
  }
}
