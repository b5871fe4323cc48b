package org.sbcnm.training.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.sbcnm.engine.vectors.TestVectors.assertClose;
import static org.sbcnm.engine.vectors.TestVectors.tensor;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.sbcnm.engine.autograd.Node;
import org.sbcnm.engine.autograd.Tape;
import org.sbcnm.engine.ops.L2Normalize;
import org.sbcnm.engine.ops.MatMul;
import org.sbcnm.engine.ops.SoftmaxCrossEntropy;
import org.sbcnm.engine.param.Parameter;
import org.sbcnm.engine.tensor.BitMatrix;
import org.sbcnm.engine.tensor.DType;
import org.sbcnm.engine.tensor.Tensor;
import org.sbcnm.engine.testing.GradCheck;
import org.sbcnm.engine.testing.RandomTensors;
import org.sbcnm.engine.vectors.TestVectors;
import org.sbcnm.towers.layers.Mlp;

/** The whole loss (towers, logQ, masking) against PyTorch, and its extras against differences. */
class BatchSoftmaxLossTest {
  private static final String[] NAMES = {"W1", "b1", "W2", "b2", "W3", "b3"};

  private static Mlp tower(JsonNode json, JsonNode cfg, int in) {
    Mlp mlp =
        new Mlp(
            "t",
            in,
            new int[] {cfg.get("h1").asInt(), cfg.get("h2").asInt(), cfg.get("out").asInt()},
            DType.FLOAT64,
            new SplittableRandom(0));
    List<Parameter> ps = mlp.parameters();
    for (int k = 0; k < NAMES.length; k++) {
      ps.get(k).value().copyFrom(tensor(json.get(NAMES[k]), DType.FLOAT64));
    }
    return mlp;
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "twotower_nologq_nomask.json",
        "twotower_nologq_mask.json",
        "twotower_logq_nomask.json",
        "twotower_logq_mask.json"
      })
  void matchesPyTorch(String file) {
    JsonNode v = TestVectors.load(file);
    JsonNode cfg = v.get("config");
    Mlp q = tower(v.get("query_tower"), cfg, cfg.get("dq").asInt());
    Mlp i = tower(v.get("item_tower"), cfg, cfg.get("di").asInt());
    int b = cfg.get("batch").asInt();
    int[] items = new int[b];
    float[] logQ = new float[b];
    for (int k = 0; k < b; k++) {
      items[k] = v.get("item_ids").get(k).asInt();
      logQ[k] = (float) v.get("log_p").get(k).asDouble();
    }
    BatchSoftmaxLoss loss =
        new BatchSoftmaxLoss(
            cfg.get("temperature").asDouble(), cfg.get("accidental_hit_masking").asBoolean(), 0);
    Tape tape = new Tape();
    try (Tape t = tape.begin()) {
      Node u =
          L2Normalize.rows(t, q.forward(t, t.constant(tensor(v.get("x_query"), DType.FLOAT64))));
      Node w =
          L2Normalize.rows(t, i.forward(t, t.constant(tensor(v.get("x_item"), DType.FLOAT64))));
      // log p is exact in the file but float here: the tolerance is the float one.
      Node l =
          loss.apply(t, u, w, items, cfg.get("logq_correction").asBoolean() ? logQ : null, null);
      double tol = cfg.get("logq_correction").asBoolean() ? 1e-6 : 1e-9;
      assertClose(v.get("loss").asDouble(), l.value().getFlat(0), tol, file + " loss");
      t.backward(l);
      for (int k = 0; k < NAMES.length; k++) {
        assertClose(
            tensor(v.get("grad_query_tower").get(NAMES[k]), DType.FLOAT64),
            q.parameters().get(k).grad(),
            1e-5,
            file + " dq" + NAMES[k]);
        assertClose(
            tensor(v.get("grad_item_tower").get(NAMES[k]), DType.FLOAT64),
            i.parameters().get(k).grad(),
            1e-5,
            file + " di" + NAMES[k]);
      }
    }
  }

  @Test
  void hardNegativesAndExtraColumnsAreDifferentiable() {
    SplittableRandom rng = new SplittableRandom(4);
    int[] items = {1, 2, 1, 3, 4, 5, 2};
    float[] logQ = {-1f, -2f, -1f, -0.5f, -3f, -2f, -2f};
    BatchSoftmaxLoss loss = new BatchSoftmaxLoss(0.5, true, 2);
    GradCheck.check(
        "hard negatives + extra columns",
        List.of(
            RandomTensors.normal(DType.FLOAT64, 4, 3, rng),
            RandomTensors.normal(DType.FLOAT64, 7, 3, rng)),
        List.of(),
        (t, in) ->
            loss.apply(
                t, L2Normalize.rows(t, in[0]), L2Normalize.rows(t, in[1]), items, logQ, null));
  }

  @Test
  void accidentalHitMaskMatchesItsDefinition() {
    // Many repeats, negative ids and extra columns (n > b): the loss equals the fused op's with a
    // mask built pair by pair from the definition M[i, j] = (j != i and item j = item i).
    SplittableRandom rng = new SplittableRandom(9);
    int b = 40;
    int n = 57;
    int[] items = new int[n];
    for (int j = 0; j < n; j++) {
      items[j] = rng.nextInt(12) - 4;
    }
    BitMatrix expected = new BitMatrix(b, n);
    for (int i = 0; i < b; i++) {
      for (int j = 0; j < n; j++) {
        if (j != i && items[j] == items[i]) {
          expected.set(i, j);
        }
      }
    }
    Tensor q = RandomTensors.normal(DType.FLOAT64, b, 5, rng);
    Tensor v = RandomTensors.normal(DType.FLOAT64, n, 5, rng);
    BatchSoftmaxLoss loss = new BatchSoftmaxLoss(0.3, true, 0);
    Tape tape = new Tape();
    double masked;
    try (Tape t = tape.begin()) {
      masked = loss.apply(t, t.constant(q), t.constant(v), items, null, null).value().getFlat(0);
    }
    double reference;
    try (Tape t = tape.begin()) {
      Node logits = MatMul.apply(t, t.constant(q), t.constant(v), false, true, 1 / 0.3);
      reference =
          SoftmaxCrossEntropy.apply(t, logits, null, null, null, expected).value().getFlat(0);
    }
    assertEquals(reference, masked, 1e-12);
  }
}
