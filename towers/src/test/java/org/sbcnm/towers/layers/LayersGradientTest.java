package org.sbcnm.towers.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.sbcnm.engine.autograd.Node;
import org.sbcnm.engine.autograd.Tape;
import org.sbcnm.engine.param.Parameter;
import org.sbcnm.engine.sparse.CsrMatrix;
import org.sbcnm.engine.tensor.DType;
import org.sbcnm.engine.tensor.Tensor;
import org.sbcnm.engine.testing.GradCheck;
import org.sbcnm.engine.testing.RandomTensors;

/** Every layer gradient-checked in float64, plus known-answer cases. */
class LayersGradientTest {
  private static final DType D = DType.FLOAT64;
  private final SplittableRandom rng = new SplittableRandom(5);

  @Test
  void linearAndMlp() {
    Linear lin = new Linear("lin", 4, 3, D, rng);
    Tensor r = RandomTensors.normal(D, 5, 3, rng);
    GradCheck.check(
        "linear",
        List.of(RandomTensors.normal(D, 5, 4, rng)),
        lin.parameters(),
        (t, in) -> GradCheck.project(t, lin.forward(t, in[0]), r));
    Mlp mlp = new Mlp("mlp", 4, new int[] {6, 5, 2}, D, rng);
    Tensor r2 = RandomTensors.normal(D, 5, 2, rng);
    GradCheck.check(
        "mlp",
        List.of(RandomTensors.normal(D, 5, 4, rng)),
        mlp.parameters(),
        (t, in) -> GradCheck.project(t, mlp.forward(t, in[0]), r2));
    assertEquals(6, mlp.parameters().size());
    assertEquals("mlp.2.bias", mlp.parameters().get(5).name());
  }

  @Test
  void crossNetwork() {
    CrossNetwork cross = new CrossNetwork("cross", 4, 3, D, rng);
    Tensor r = RandomTensors.normal(D, 5, 4, rng);
    GradCheck.check(
        "cross",
        List.of(RandomTensors.normal(D, 5, 4, rng)),
        cross.parameters(),
        (t, in) -> GradCheck.project(t, cross.forward(t, in[0]), r));
  }

  @Test
  void gcnPropagationAndEmbeddings() {
    CsrMatrix graph =
        CsrMatrix.fromCoo(
            5,
            5,
            new int[] {0, 1, 1, 3, 2, 4},
            new int[] {1, 0, 3, 1, 4, 2},
            new double[] {1, 1, 2, 2, 0.5, 0.5});
    GcnPropagation gcn = new GcnPropagation(graph, 2);
    EmbeddingTable items = EmbeddingTable.direct("items", 5, 3, 1.0, D, rng);
    Tensor r = RandomTensors.normal(D, 3, 3, rng);
    int[] batch = {4, 0, 4};
    GradCheck.check(
        "gcn then gather",
        List.of(),
        items.parameters(),
        (t, in) ->
            GradCheck.project(
                t,
                org.sbcnm.engine.ops.Embedding.gather(t, gcn.forward(t, items.all(t)), batch, 0, 3),
                r));
    EmbeddingTable hashed = EmbeddingTable.hashed("h", 7, 3, 1.0, 99, D, rng);
    int[] rawIds = {123456789, 5, 123456789, 42};
    GradCheck.check(
        "hashed lookup",
        List.of(),
        hashed.parameters(),
        (t, in) -> GradCheck.project(t, hashed.lookup(t, rawIds, 1, 3), r));
    int[] offsets = {0, 2, 2, 4};
    GradCheck.check(
        "hashed bags",
        List.of(),
        hashed.parameters(),
        (t, in) -> GradCheck.project(t, hashed.bagMean(t, offsets, 3, rawIds), r));
  }

  @Test
  void hashingIsSeededStableAndBounded() {
    EmbeddingTable a = EmbeddingTable.hashed("a", 1000, 2, 1, 7, D, new SplittableRandom(1));
    EmbeddingTable b = EmbeddingTable.hashed("b", 1000, 2, 1, 8, D, new SplittableRandom(1));
    int differ = 0;
    for (long id = 0; id < 200; id++) {
      int row = a.row(id);
      assertEquals(row, a.row(id));
      if (row != b.row(id)) {
        differ++;
      }
      assertEquals(true, row >= 0 && row < 1000);
    }
    assertNotEquals(0, differ);
    assertEquals(a.row(Long.MAX_VALUE), a.row(Long.MAX_VALUE));
    EmbeddingTable direct = EmbeddingTable.direct("d", 3, 2, 1, D, rng);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> direct.row(3));
    assertEquals("d: id 3 outside table of 3 rows", e.getMessage());
  }

  @Test
  void knownAnswerLinearAndCross() {
    Linear lin = new Linear("l", 2, 1, DType.FLOAT32, rng);
    lin.weight().value().set(0, 0, 2);
    lin.weight().value().set(0, 1, -1);
    lin.bias().value().set(0, 0, 0.5);
    CrossNetwork cross = new CrossNetwork("c", 2, 1, DType.FLOAT32, rng);
    Parameter w = cross.parameters().get(0);
    Parameter b = cross.parameters().get(1);
    w.value().fill(0);
    w.value().set(0, 0, 1);
    w.value().set(1, 1, 1);
    b.value().fill(1);
    Tape tape = new Tape();
    try (Tape t = tape.begin()) {
      Node x = t.constant(Tensor.of(DType.FLOAT32, new double[][] {{3, 4}}));
      assertEquals(2.5, lin.forward(t, x).value().get(0, 0), 1e-6);
      // x0 ⊙ (x + 1) + x = [3·4 + 3, 4·5 + 4]
      Node y = cross.forward(t, x);
      assertEquals(15, y.value().get(0, 0), 1e-6);
      assertEquals(24, y.value().get(0, 1), 1e-6);
    }
  }

  @Test
  void sameSeedSameParameters() {
    List<Float> first = new ArrayList<>();
    List<Float> second = new ArrayList<>();
    for (List<Float> out : List.of(first, second)) {
      Mlp m = new Mlp("m", 3, new int[] {4, 2}, DType.FLOAT32, new SplittableRandom(77));
      for (Parameter p : m.parameters()) {
        for (float v : p.value().floats()) {
          out.add(v);
        }
      }
    }
    assertEquals(first, second);
  }
}
