package org.sbcnm.engine.testing;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.sbcnm.engine.io.TensorBundle;
import org.sbcnm.engine.tensor.Tensor;

/**
 * Structured changes to a valid bundle for fuzz tests of the formats built on it (checkpoints,
 * indexes): a raw-byte fuzzer rarely gets past the bundle's checksum, so the input chooses one to
 * three changes (a metadata value set to any string or number, an entry removed, an entry's length
 * and one element changed, an entry's type changed) and the bundle is written again, valid.
 */
public final class BundleMutations {
  private BundleMutations() {}

  /**
   * Applies the changes {@code in} chooses to {@code b}.
   *
   * @param extremeInt the ints an element may take are drawn from [-2, extremeInt]
   */
  public static void mutate(TensorBundle b, FuzzedDataProvider in, int extremeInt) {
    List<String> keys = new ArrayList<>(b.metadata().keySet());
    List<String> names = new ArrayList<>();
    b.names().forEach(names::add);
    int changes = in.consumeInt(1, 3);
    for (int c = 0; c < changes; c++) {
      int what = in.consumeInt(0, 3);
      if (what <= 1 && !keys.isEmpty()) {
        String key = in.pickValue(keys);
        b.meta(key, what == 0 ? in.consumeString(12) : Integer.toString(in.consumeInt()));
        continue;
      }
      if (names.isEmpty()) {
        continue;
      }
      String name = in.pickValue(names);
      if (!b.has(name)) {
        continue;
      }
      if (what == 2) {
        b.remove(name);
        continue;
      }
      int[] shape = b.shape(name);
      long size = (long) shape[0] * shape[1];
      int n = in.consumeInt(0, (int) Math.min(1 << 16, 2 * size + 2));
      boolean keepShape = n == size && in.consumeBoolean();
      int rows = keepShape ? shape[0] : 1;
      int cols = keepShape ? shape[1] : n;
      try {
        int[] v = Arrays.copyOf(b.ints(name), n);
        if (n > 0) {
          v[in.consumeInt(0, n - 1)] = in.consumeInt(-2, extremeInt);
        }
        b.putInts(name, v, rows, cols);
      } catch (IllegalArgumentException notInts) {
        float[] v = new float[n];
        try {
          Tensor t = b.tensor(name);
          for (int k = 0; k < Math.min(n, t.size()); k++) {
            v[k] = (float) t.getFlat(k);
          }
        } catch (IllegalArgumentException longs) {
          // A long entry comes back as floats: a change of type.
        }
        if (n > 0) {
          v[in.consumeInt(0, n - 1)] = in.consumeFloat();
        }
        b.put(name, Tensor.wrap(v, rows, cols));
      }
    }
  }
}
