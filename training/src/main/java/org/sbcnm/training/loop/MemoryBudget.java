package org.sbcnm.training.loop;

import java.util.Locale;

/**
 * Checks a large allocation against the heap before it is made, so that a crafted input (one
 * categorical code of fifty million) or an outsize flag is refused with a reason that names its
 * source and the memory it would take, instead of an {@link OutOfMemoryError} half-way through.
 */
public final class MemoryBudget {
  /** The share of the maximum heap that model state may claim; the rest holds the dataset. */
  static final double SHARE = 0.75;

  private MemoryBudget() {}

  /**
   * Refuses {@code bytes} of new state when they exceed {@link #SHARE} of the maximum heap.
   *
   * @param what the state and where its size comes from (a file and field, or a flag)
   * @throws IllegalArgumentException naming {@code what}, the bytes needed and the heap
   */
  public static void require(long bytes, String what) {
    require(bytes, what, Runtime.getRuntime().maxMemory());
  }

  static void require(long bytes, String what, long maxHeap) {
    if (bytes > SHARE * maxHeap) {
      throw new IllegalArgumentException(
          what
              + " would need "
              + human(bytes)
              + " but the heap allows at most "
              + human(maxHeap)
              + " (raise -Xmx if this is meant)");
    }
  }

  /** Bytes as "1.5 GiB", "12.0 MiB" or "512 B". */
  static String human(long bytes) {
    if (bytes < 1024) {
      return bytes + " B";
    }
    String[] units = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
    double v = bytes;
    int u = -1;
    while (v >= 1024 && u < units.length - 1) {
      v /= 1024;
      u++;
    }
    return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
  }

  /**
   * Refuses a full softmax whose score matrix would not fit: B × N floats each for the logits,
   * their gradient and the softmax, kept within a quarter of the heap.
   */
  static void requireFullSoftmax(int batchSize, int numItems, long heapBytes) {
    long bytes = 3L * Float.BYTES * batchSize * numItems;
    if (bytes > heapBytes / 4) {
      throw new IllegalArgumentException(
          String.format(
              "full_softmax: a batch of %d against %d items needs %d MiB of scores, more than a"
                  + " quarter of the %d MiB heap; use the batch softmax, a smaller --batch_size"
                  + " or a larger -Xmx",
              batchSize, numItems, bytes >> 20, heapBytes >> 20));
    }
  }
}
