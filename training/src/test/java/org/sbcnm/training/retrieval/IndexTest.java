package org.sbcnm.training.retrieval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sbcnm.engine.io.UnsupportedVersionException;
import org.sbcnm.engine.kernel.MatrixOps;
import org.sbcnm.engine.tensor.Tensor;

class IndexTest {
  @TempDir Path dir;

  /** Unit vectors around {@code clusters} random centres, like trained item embeddings. */
  static Tensor clustered(int n, int d, int clusters, double spread, long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    double[][] centres = new double[clusters][d];
    for (double[] c : centres) {
      for (int j = 0; j < d; j++) {
        c[j] = rng.nextGaussian();
      }
    }
    Tensor t = Tensor.zeros(n, d);
    for (int i = 0; i < n; i++) {
      double[] c = centres[rng.nextInt(clusters)];
      for (int j = 0; j < d; j++) {
        t.set(i, j, c[j] + spread * rng.nextGaussian());
      }
    }
    MatrixOps.rowL2Normalize(t, t, null, 1e-12);
    return t;
  }

  /** The oracle: all scores in double order of the float scores, ties by index. */
  static int[] bruteForce(
      Tensor items, Tensor queries, int q, int k, int[] excluded, float[] adjust) {
    int n = items.rows();
    float[] s = new float[n];
    for (int j = 0; j < n; j++) {
      float dot = 0;
      for (int c = 0; c < items.cols(); c++) {
        dot += queries.floats()[q * items.cols() + c] * items.floats()[j * items.cols() + c];
      }
      s[j] = dot + (adjust == null ? 0 : adjust[j]);
    }
    return IntStream.range(0, n)
        .filter(j -> Arrays.binarySearch(excluded, j) < 0)
        .boxed()
        .sorted(Comparator.<Integer>comparingDouble(j -> -s[j]).thenComparingInt(j -> j))
        .limit(k)
        .mapToInt(Integer::intValue)
        .toArray();
  }

  @Test
  void exactIndexMatchesBruteForceWithExclusionsAndAdjustment() {
    Tensor items = clustered(5003, 16, 20, 0.5, 1);
    Tensor queries = clustered(300, 16, 20, 0.5, 2);
    int k = 25;
    int[] ptr = new int[301];
    int[] ex = new int[300 * 3];
    for (int q = 0; q < 300; q++) {
      ptr[q + 1] = ptr[q] + 3;
      ex[3 * q] = q;
      ex[3 * q + 1] = 2 * q + 1;
      ex[3 * q + 2] = 4000 + q;
    }
    float[] adjust = new float[5003];
    for (int j = 0; j < adjust.length; j++) {
      adjust[j] = (float) (0.05 * Math.sin(j));
    }
    for (float[] a : new float[][] {null, adjust}) {
      ExactIndex index = new ExactIndex(items).withAdjustment(a);
      int[] idx = new int[300 * k];
      float[] sc = new float[300 * k];
      index.search(queries, k, new Exclusions(ptr, ex), idx, sc);
      float[] aa = a;
      // Float rounding can swap near-equal neighbours; compare as sets with one swap allowed at the
      // edge.
      int mismatched = 0;
      for (int q = 0; q < 300; q++) {
        int[] expected =
            bruteForce(items, queries, q, k, Arrays.copyOfRange(ex, 3 * q, 3 * q + 3), aa);
        int[] got = Arrays.copyOfRange(idx, q * k, (q + 1) * k);
        if (!Arrays.equals(expected, got)) {
          mismatched++;
        }
        for (int j = 1; j < k; j++) {
          assertTrue(sc[q * k + j] <= sc[q * k + j - 1], "sorted");
        }
        for (int j : got) {
          assertTrue(
              Arrays.binarySearch(Arrays.copyOfRange(ex, 3 * q, 3 * q + 3), j) < 0,
              "excluded item returned");
        }
      }
      assertTrue(mismatched <= 3, mismatched + " queries differ from brute force");
    }
  }

  @Test
  void hnswRecallOnClusteredVectorsAndFileRoundTrips() throws IOException {
    Tensor items = clustered(6000, 32, 50, 0.4, 3);
    Tensor queries = clustered(200, 32, 50, 0.4, 4);
    int k = 20;
    ExactIndex exact = new ExactIndex(items);
    int[] truth = new int[200 * k];
    exact.search(queries, k, null, truth, new float[200 * k]);
    HnswIndex hnsw = HnswIndex.build(items, 16, 100, 42);
    int[] approx = new int[200 * k];
    float[] sc = new float[200 * k];
    hnsw.search(queries, k, 100, null, approx, sc);
    double recall = recall(truth, approx, 200, k);
    assertTrue(recall > 0.9, "recall@" + k + " = " + recall);

    Path f = dir.resolve("items.hnsw");
    IndexFiles.write(f, hnsw);
    HnswIndex loaded = IndexFiles.readHnsw(f);
    int[] again = new int[200 * k];
    loaded.search(queries, k, 100, null, again, new float[200 * k]);
    assertArrayEquals(approx, again);

    Path e = dir.resolve("items.exact");
    IndexFiles.write(e, exact);
    int[] reloaded = new int[200 * k];
    IndexFiles.readExact(e).search(queries, k, null, reloaded, new float[200 * k]);
    assertArrayEquals(truth, reloaded);
    assertEquals("hnsw", IndexFiles.kindOf(f));
  }

  @Test
  void hnswHonoursExclusions() {
    Tensor items = clustered(2000, 16, 10, 0.4, 5);
    HnswIndex hnsw = HnswIndex.build(items, 16, 100, 1);
    Tensor queries = items.rowRange(0, 10).copy();
    int[] ptr = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
    int[] ex = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
    int[] idx = new int[10 * 5];
    hnsw.search(queries, 5, 50, new Exclusions(ptr, ex), idx, new float[50]);
    for (int q = 0; q < 10; q++) {
      for (int j = 0; j < 5; j++) {
        assertTrue(idx[q * 5 + j] != q, "query " + q + " returned its excluded self");
      }
    }
  }

  @Test
  void concurrentQueriesGetTheSerialAnswers() throws InterruptedException {
    Tensor items = clustered(3000, 16, 10, 0.4, 6);
    ExactIndex exact = new ExactIndex(items);
    HnswIndex hnsw = HnswIndex.build(items, 8, 50, 3);
    Tensor queries = clustered(200, 16, 10, 0.4, 7);
    int k = 10;
    int[] serialExact = new int[200 * k];
    int[] serialHnsw = new int[200 * k];
    exact.search(queries, k, null, serialExact, new float[200 * k]);
    hnsw.search(queries, k, 40, null, serialHnsw, new float[200 * k]);
    int[][] results = new int[8][200 * k];
    Thread[] threads = new Thread[8];
    for (int t = 0; t < threads.length; t++) {
      int id = t;
      threads[t] =
          new Thread(
              () -> {
                for (int rep = 0; rep < 5; rep++) {
                  if (id % 2 == 0) {
                    exact.search(queries, k, null, results[id], new float[200 * k]);
                  } else {
                    hnsw.search(queries, k, 40, null, results[id], new float[200 * k]);
                  }
                }
              });
      threads[t].start();
    }
    for (Thread t : threads) {
      t.join();
    }
    for (int t = 0; t < threads.length; t++) {
      assertArrayEquals(t % 2 == 0 ? serialExact : serialHnsw, results[t], "thread " + t);
    }
  }

  @Test
  void searchesRefuseMismatchedShapesAndBounds() {
    Tensor items = clustered(40, 4, 3, 0.1, 2);
    ExactIndex exact = new ExactIndex(items);
    Tensor q = clustered(3, 4, 2, 0.1, 3);
    int[] idx = new int[3 * 5];
    float[] val = new float[3 * 5];
    assertThrows(
        IllegalArgumentException.class,
        () -> exact.search(clustered(3, 5, 2, 0.1, 3), 5, null, idx, val));
    assertThrows(IllegalArgumentException.class, () -> exact.search(q, 0, null, idx, val));
    assertThrows(
        IllegalArgumentException.class,
        () -> exact.search(q, org.sbcnm.engine.kernel.TopK.MAX_K + 1, null, idx, val));
    assertThrows(IllegalArgumentException.class, () -> exact.search(q, 5, null, new int[14], val));
    assertThrows(
        IllegalArgumentException.class, () -> exact.search(q, 5, null, idx, new float[14]));
    assertThrows(
        IllegalArgumentException.class,
        () -> exact.search(q, 5, new Exclusions(new int[] {0, 0, 0}, new int[0]), idx, val));
    exact.search(q, 5, new Exclusions(new int[] {0, 0, 0, 0}, new int[0]), idx, val);
    assertEquals(40, exact.size());
    assertEquals(4, exact.dim());

    HnswIndex hnsw = HnswIndex.build(items, 8, 20, 1);
    assertEquals(8, hnsw.m());
    assertEquals(20, hnsw.beamWidth());
    assertEquals(40, hnsw.size());
    assertThrows(IllegalArgumentException.class, () -> HnswIndex.build(items, 1, 20, 1));
    assertThrows(IllegalArgumentException.class, () -> HnswIndex.build(items, 513, 20, 1));
    assertThrows(IllegalArgumentException.class, () -> HnswIndex.build(items, 8, 0, 1));
    assertThrows(IllegalArgumentException.class, () -> HnswIndex.build(items, 8, 3201, 1));
    assertThrows(
        IllegalArgumentException.class,
        () -> hnsw.search(clustered(3, 5, 2, 0.1, 3), 5, 10, null, idx, val));
    assertThrows(IllegalArgumentException.class, () -> hnsw.search(q, 5, 4, null, idx, val));
    assertThrows(IllegalArgumentException.class, () -> hnsw.search(q, 0, 4, null, idx, val));
    // k = ef = the whole catalogue: every item, best first, exactly as the exact index.
    int[] all = new int[3 * 40];
    float[] allScores = new float[3 * 40];
    hnsw.search(q, 40, 40, null, all, allScores);
    int[] exactAll = new int[3 * 40];
    exact.search(q, 40, null, exactAll, new float[3 * 40]);
    for (int r = 0; r < 3; r++) {
      int[] a = Arrays.copyOfRange(all, r * 40, (r + 1) * 40);
      int[] b = Arrays.copyOfRange(exactAll, r * 40, (r + 1) * 40);
      Arrays.sort(a);
      Arrays.sort(b);
      assertArrayEquals(b, a, "row " + r + " holds every item once");
      for (int j = 1; j < 40; j++) {
        assertTrue(allScores[r * 40 + j - 1] >= allScores[r * 40 + j], "descending scores");
      }
    }
  }

  @Test
  void anIndexWithANonFiniteValueIsRefused() throws IOException {
    Tensor items = clustered(20, 4, 2, 0.1, 5);
    items.set(7, 2, Float.NaN);
    Path exact = dir.resolve("nan.sbcnm-index");
    IndexFiles.write(exact, new ExactIndex(items));
    org.sbcnm.engine.io.FormatException e =
        assertThrows(org.sbcnm.engine.io.FormatException.class, () -> IndexFiles.readExact(exact));
    assertTrue(e.getMessage().contains("embeddings holds NaN at element 30"), e.getMessage());
    Tensor fine = clustered(20, 4, 2, 0.1, 5);
    float[] adjustment = new float[20];
    adjustment[3] = Float.NEGATIVE_INFINITY;
    Path adjusted = dir.resolve("inf.sbcnm-index");
    IndexFiles.write(adjusted, new ExactIndex(fine).withAdjustment(adjustment));
    assertThrows(org.sbcnm.engine.io.FormatException.class, () -> IndexFiles.readExact(adjusted));
    Path hnsw = dir.resolve("nan-hnsw.sbcnm-index");
    IndexFiles.write(hnsw, HnswIndex.build(fine, 8, 20, 1).withAdjustment(adjustment));
    assertThrows(org.sbcnm.engine.io.FormatException.class, () -> IndexFiles.readHnsw(hnsw));
  }

  @Test
  void unknownIndexVersionIsATypedError() throws IOException {
    Path f = dir.resolve("x.idx");
    IndexFiles.write(f, new ExactIndex(clustered(10, 4, 2, 0.1, 1)));
    org.sbcnm.engine.io.TensorBundle b = org.sbcnm.engine.io.TensorBundle.read(f);
    b.meta("index.version", "7");
    b.write(f);
    UnsupportedVersionException u =
        assertThrows(UnsupportedVersionException.class, () -> IndexFiles.readExact(f));
    assertEquals(7, u.version());
    assertThrows(
        org.sbcnm.engine.io.FormatException.class, () -> IndexFiles.readHnsw(dir.resolve("x.idx")));
  }

  static double recall(int[] truth, int[] approx, int queries, int k) {
    int hits = 0;
    for (int q = 0; q < queries; q++) {
      int[] t = Arrays.copyOfRange(truth, q * k, (q + 1) * k);
      Arrays.sort(t);
      for (int j = 0; j < k; j++) {
        if (Arrays.binarySearch(t, approx[q * k + j]) >= 0) {
          hits++;
        }
      }
    }
    return hits / (double) (queries * k);
  }
}
