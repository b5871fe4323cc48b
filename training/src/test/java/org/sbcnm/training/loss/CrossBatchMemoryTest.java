package org.sbcnm.training.loss;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.sbcnm.engine.autograd.Node;
import org.sbcnm.engine.autograd.Tape;
import org.sbcnm.engine.io.FormatException;
import org.sbcnm.engine.io.TensorBundle;
import org.sbcnm.engine.ops.L2Normalize;
import org.sbcnm.engine.tensor.DType;
import org.sbcnm.engine.tensor.Tensor;
import org.sbcnm.engine.testing.GradCheck;
import org.sbcnm.engine.testing.RandomTensors;

/** The memory's first-in, first-out order and state, and the loss over its rows. */
class CrossBatchMemoryTest {
  private static Tensor rows(double... firstColumn) {
    Tensor t = Tensor.zeros(DType.FLOAT64, firstColumn.length, 2);
    for (int r = 0; r < firstColumn.length; r++) {
      t.set(r, 0, firstColumn[r]);
      t.set(r, 1, -firstColumn[r]);
    }
    return t;
  }

  @Test
  void theOldestRowsMakeWayAndTheStateRoundTrips() throws FormatException {
    CrossBatchMemory m = new CrossBatchMemory(3, 2, DType.FLOAT64);
    assertEquals(0, m.size());
    assertEquals(0, m.embeddings().rows());
    m.push(rows(1, 2), new int[] {10, 20}, 2);
    assertEquals(2, m.size());
    assertEquals(2, m.embeddings().get(1, 0));
    m.push(rows(3, 4, 5), new int[] {30, 40, 50}, 2); // only the first two rows
    assertEquals(3, m.size());
    // Storage order: 4 replaced 1, the oldest.
    assertArrayEquals(new int[] {40, 20, 30}, m.items());
    assertEquals(4, m.embeddings().get(0, 0));
    assertEquals(-3, m.embeddings().get(2, 1));

    TensorBundle b = new TensorBundle();
    m.save(b, "xbm/");
    CrossBatchMemory back = new CrossBatchMemory(3, 2, DType.FLOAT64);
    back.load(b, "xbm/", 51);
    assertArrayEquals(m.items(), back.items());
    assertEquals(3, back.size());
    // The write position came back too: the next push replaces item 20.
    back.push(rows(6), new int[] {60}, 1);
    assertArrayEquals(new int[] {40, 60, 30}, back.items());

    FormatException outside =
        assertThrows(
            FormatException.class,
            () -> new CrossBatchMemory(3, 2, DType.FLOAT64).load(b, "xbm/", 40));
    assertTrue(outside.getMessage().contains("item 40 outside 0..39"), outside.getMessage());
    assertThrows(
        FormatException.class, () -> new CrossBatchMemory(4, 2, DType.FLOAT64).load(b, "xbm/", 51));
    assertThrows(
        FormatException.class, () -> new CrossBatchMemory(3, 3, DType.FLOAT64).load(b, "xbm/", 51));
    assertThrows(IllegalArgumentException.class, () -> new CrossBatchMemory(0, 2, DType.FLOAT64));
    assertThrows(IllegalArgumentException.class, () -> m.push(rows(1), new int[] {1}, 2));
  }

  @Test
  void storedRowsAreCorrectedMaskedNegativesWithoutGradient() {
    SplittableRandom rng = new SplittableRandom(21);
    double tau = 0.5;
    int[] items = {1, 2, 1};
    float[] logQ = {-1f, -2f, -1f};
    Tensor q = RandomTensors.normal(DType.FLOAT64, 3, 2, rng);
    Tensor v = RandomTensors.normal(DType.FLOAT64, 3, 2, rng);
    CrossBatchMemory memory = new CrossBatchMemory(4, 2, DType.FLOAT64);
    memory.push(RandomTensors.normal(DType.FLOAT64, 3, 2, rng), new int[] {2, 7, 1}, 3);
    float[] memoryLogQ = {-0.5f, -3f, -1.5f};
    // By hand: row i's softmax over the batch columns and the stored rows, minus log q, without
    // the other columns and stored rows holding its own item.
    int[] all = {1, 2, 1, 2, 7, 1};
    double total = 0;
    for (int i = 0; i < 3; i++) {
      double sum = 0;
      double target = 0;
      for (int j = 0; j < 6; j++) {
        if (j != i && all[j] == items[i]) {
          continue;
        }
        Tensor col = j < 3 ? v : memory.embeddings();
        int row = j < 3 ? j : j - 3;
        double s =
            (q.get(i, 0) * col.get(row, 0) + q.get(i, 1) * col.get(row, 1)) / tau
                - (j < 3 ? logQ[j] : memoryLogQ[j - 3]);
        sum += Math.exp(s);
        target = j == i ? s : target;
      }
      total += Math.log(sum) - target;
    }
    BatchSoftmaxLoss loss = new BatchSoftmaxLoss(tau, true, 0);
    try (Tape t = new Tape().begin()) {
      Node l =
          loss.applyWithMemory(t, t.input(q), t.input(v), items, logQ, memory, memoryLogQ, null);
      assertEquals(total / 3, l.value().getFlat(0), 1e-12);
      // An empty memory is the plain batch softmax.
      double plain = loss.apply(t, t.input(q), t.input(v), items, logQ, null).value().getFlat(0);
      double empty =
          loss.applyWithMemory(
                  t,
                  t.input(q),
                  t.input(v),
                  items,
                  logQ,
                  new CrossBatchMemory(2, 2, DType.FLOAT64),
                  memoryLogQ,
                  null)
              .value()
              .getFlat(0);
      assertEquals(plain, empty);
      assertThrows(
          IllegalStateException.class,
          () ->
              new BatchSoftmaxLoss(tau, true, 1)
                  .applyWithMemory(
                      t, t.input(q), t.input(v), items, logQ, memory, memoryLogQ, null));
    }
    GradCheck.check(
        "cross-batch negatives",
        List.of(
            RandomTensors.normal(DType.FLOAT64, 3, 2, rng),
            RandomTensors.normal(DType.FLOAT64, 3, 2, rng)),
        List.of(),
        (t, in) ->
            loss.applyWithMemory(
                t,
                L2Normalize.rows(t, in[0]),
                L2Normalize.rows(t, in[1]),
                items,
                logQ,
                memory,
                memoryLogQ,
                null));
  }
}
