package org.sbcnm.training.retrieval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sbcnm.engine.io.FormatException;
import org.sbcnm.engine.io.TensorBundle;
import org.sbcnm.engine.tensor.Tensor;

/** Index files checked whole when they load: each kind of damage named, with the file. */
class IndexFilesTest {
  @TempDir Path dir;

  private static Tensor items(int n) {
    float[] v = new float[n * 3];
    for (int r = 0; r < n; r++) { // unit rows, as the towers give
      double norm = 0;
      for (int c = 0; c < 3; c++) {
        v[r * 3 + c] = (float) Math.sin((r * 3 + c) * 1.7);
        norm += v[r * 3 + c] * v[r * 3 + c];
      }
      for (int c = 0; c < 3; c++) {
        v[r * 3 + c] /= (float) Math.sqrt(norm);
      }
    }
    return Tensor.wrap(v, n, 3);
  }

  /** Writes an HNSW index of 30 items, damages it, and returns the load's error message. */
  private String damagedHnsw(Consumer<TensorBundle> damage) throws IOException {
    Path f = dir.resolve("h.sbcnm-index");
    IndexFiles.write(f, HnswIndex.build(items(30), 4, 16, 1));
    TensorBundle b = TensorBundle.read(f);
    damage.accept(b);
    b.write(f);
    FormatException e = assertThrows(FormatException.class, () -> IndexFiles.readHnsw(f));
    assertTrue(e.getMessage().startsWith(f.toString()), e.getMessage());
    return e.getMessage();
  }

  @Test
  void aSoundHnswIndexLoadsAndAnswersAsBuilt() throws IOException {
    Path f = dir.resolve("h.sbcnm-index");
    HnswIndex built = HnswIndex.build(items(30), 4, 16, 1);
    IndexFiles.write(f, built);
    HnswIndex back = IndexFiles.readHnsw(f);
    int[] a = new int[5];
    int[] b = new int[5];
    built.search(items(1), 5, 16, null, a, new float[5]);
    back.search(items(1), 5, 16, null, b, new float[5]);
    assertEquals(java.util.Arrays.toString(a), java.util.Arrays.toString(b));
  }

  @Test
  void everyDamageToTheGraphIsNamed() throws IOException {
    assertTrue(
        damagedHnsw(
                b -> {
                  int[] n = b.ints("hnsw/neighbors/0").clone();
                  n[3] = 30;
                  b.putInts("hnsw/neighbors/0", n, 1, n.length);
                })
            .contains("level 0: neighbour 30 at 3 is not a node of this level"));
    assertTrue(
        damagedHnsw(
                b -> {
                  int[] p = b.ints("hnsw/ptr/0").clone();
                  p[p.length - 1] += 1;
                  b.putInts("hnsw/ptr/0", p, 1, p.length);
                })
            .contains("offsets must run from 0 to"));
    assertTrue(
        damagedHnsw(
                b -> {
                  int[] p = b.ints("hnsw/ptr/0").clone();
                  int t = p[2];
                  p[2] = p[1];
                  p[1] = t + 1;
                  b.putInts("hnsw/ptr/0", p, 1, p.length);
                })
            .contains("offsets decrease at"));
    assertTrue(
        damagedHnsw(b -> b.putInts("hnsw/nodes/0", new int[] {0, 1, 2}, 1, 3))
            .contains("3 nodes, expected every one of the 30 items"));
    assertTrue(damagedHnsw(b -> b.meta("hnsw.entry", "99")).contains("hnsw.entry"));
    assertTrue(damagedHnsw(b -> b.meta("hnsw.levels", "x")).contains("'hnsw.levels' = 'x'"));
    assertTrue(damagedHnsw(b -> b.remove("hnsw/ptr/0")).contains("'hnsw/ptr/0' is missing"));
  }

  /** A copy of {@code name}'s ints with element {@code at} set to {@code value}. */
  private static void set(TensorBundle b, String name, int at, int value) {
    int[] v = b.ints(name).clone();
    v[at < 0 ? v.length + at : at] = value;
    b.putInts(name, v, 1, v.length);
  }

  @Test
  void everyDamageToAnUpperLevelIsNamed() throws IOException {
    Path f = dir.resolve("h.sbcnm-index");
    IndexFiles.write(f, HnswIndex.build(items(30), 4, 16, 1));
    TensorBundle sound = TensorBundle.read(f);
    assertTrue(Integer.parseInt(sound.meta("hnsw.levels")) >= 2, "the test needs two levels");
    int[] upper = sound.ints("hnsw/nodes/1");
    assertTrue(upper.length >= 2 && sound.ints("hnsw/neighbors/1").length > 0);
    // Level 0 holds 0..29, so an upper node outside it, or out of order, is named.
    assertTrue(damagedHnsw(b -> set(b, "hnsw/nodes/1", -1, 30)).contains("node 30 at"));
    assertTrue(damagedHnsw(b -> set(b, "hnsw/nodes/1", 0, -1)).contains("node -1 at 0"));
    assertTrue(
        damagedHnsw(b -> set(b, "hnsw/nodes/1", 1, upper[0]))
            .contains("out of range or out of order"));
    assertTrue(damagedHnsw(b -> set(b, "hnsw/nodes/0", 0, 1)).contains("node 1 at 1"));
    // A neighbour on level 1 must be a level-1 node; on level 0 any item.
    int notUpper = 0;
    while (java.util.Arrays.binarySearch(upper, notUpper) >= 0) {
      notUpper++;
    }
    int missing = notUpper;
    assertTrue(
        damagedHnsw(b -> set(b, "hnsw/neighbors/1", 0, missing))
            .contains("level 1: neighbour " + missing + " at 0 is not a node of this level"));
    assertTrue(damagedHnsw(b -> set(b, "hnsw/neighbors/0", 0, -1)).contains("neighbour -1 at 0"));
    assertTrue(damagedHnsw(b -> set(b, "hnsw/ptr/1", 0, 1)).contains("offsets must run from 0"));
    assertTrue(damagedHnsw(b -> b.meta("hnsw.entry", "30")).contains("'hnsw.entry' = '30'"));
    if (Integer.parseInt(sound.meta("hnsw.levels")) >= 3) {
      int[] top = sound.ints("hnsw/nodes/2");
      assertTrue(java.util.Arrays.binarySearch(upper, top[0]) >= 0);
    }
    // An upper level whose node is absent from the level below.
    assertTrue(
        damagedHnsw(
                b -> {
                  int levels = Integer.parseInt(b.meta("hnsw.levels"));
                  b.meta("hnsw.levels", Integer.toString(levels + 1));
                  b.putInts("hnsw/nodes/" + levels, new int[] {missing}, 1, 1);
                  b.putInts("hnsw/ptr/" + levels, new int[] {0, 0}, 1, 2);
                  b.putInts("hnsw/neighbors/" + levels, new int[0], 1, 0);
                })
            .contains("node " + missing + " is missing from level"));
  }

  @Test
  void anHnswIndexOfRowsThatAreNotUnitIsRefused() throws IOException {
    assertTrue(
        damagedHnsw(
                b -> {
                  Tensor e = b.tensor("embeddings").copy();
                  e.set(7, 1, 3e38f);
                  b.put("embeddings", e);
                })
            .contains("hnsw embeddings row 7 has norm"));
  }

  @Test
  void anExactIndexWithMismatchedAdjustmentIsRefused() throws IOException {
    Path f = dir.resolve("e.sbcnm-index");
    IndexFiles.write(f, new ExactIndex(items(10)).withAdjustment(new float[10]));
    TensorBundle b = TensorBundle.read(f);
    b.put("adjustment", Tensor.wrap(new float[9], 1, 9));
    b.write(f);
    FormatException e = assertThrows(FormatException.class, () -> IndexFiles.readExact(f));
    assertTrue(e.getMessage().contains("9 popularity adjustments for 10 items"), e.getMessage());
  }
}
