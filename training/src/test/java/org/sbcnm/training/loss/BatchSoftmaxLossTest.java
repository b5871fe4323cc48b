package org.sbcnm.training.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.sbcnm.engine.vectors.TestVectors.assertClose;
import static org.sbcnm.engine.vectors.TestVectors.tensor;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
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
  @CsvSource({
    "twotower_nologq_nomask.json, false",
    "twotower_nologq_mask.json, false",
    "twotower_logq_nomask.json, false",
    "twotower_logq_mask.json, false",
    "twotower_nologq_nomask.json, true",
    "twotower_nologq_mask.json, true",
    "twotower_logq_nomask.json, true",
    "twotower_logq_mask.json, true"
  })
  void matchesPyTorch(String file, boolean distinct) {
    // With distinct columns the item tower sees each item once (item 11 fills columns 1 and 3 in
    // these files); loss and every gradient still match PyTorch's computation over all columns.
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
    boolean correction = cfg.get("logq_correction").asBoolean();
    Tensor itemFeatures = tensor(v.get("x_item"), DType.FLOAT64);
    DistinctColumns columns = new DistinctColumns().build(items, correction ? logQ : null, b);
    if (distinct) {
      assertEquals(5, columns.distinct());
      int[] firstColumn = new int[columns.size()];
      for (int j = b - 1; j >= 0; j--) {
        firstColumn[columns.distinctOf()[j]] = j;
      }
      itemFeatures = rowsOf(itemFeatures, firstColumn, columns.size());
    }
    BatchSoftmaxLoss loss =
        new BatchSoftmaxLoss(
            cfg.get("temperature").asDouble(), cfg.get("accidental_hit_masking").asBoolean(), 0);
    Tape tape = new Tape();
    try (Tape t = tape.begin()) {
      Node u =
          L2Normalize.rows(t, q.forward(t, t.constant(tensor(v.get("x_query"), DType.FLOAT64))));
      Node w = L2Normalize.rows(t, i.forward(t, t.constant(itemFeatures)));
      // log p is exact in the file but float here: the tolerance is the float one.
      Node l =
          distinct
              ? loss.applyDistinct(t, u, w, columns, null)
              : loss.apply(t, u, w, items, correction ? logQ : null, null);
      double tol = correction ? 1e-6 : 1e-9;
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

  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void distinctColumnsGiveTheFullColumnsLossAndGradients(boolean maskHits) {
    // Many repeats, extra columns past the batch, row weights, and one item whose two copies
    // carry different log q (so it fills two distinct columns): loss, dq and the per-item sums
    // of dv agree with the loss over every column, in float64.
    SplittableRandom rng = new SplittableRandom(21);
    int b = 48;
    int n = 70;
    int[] items = new int[n];
    float[] logQ = new float[n];
    for (int j = 0; j < n; j++) {
      items[j] = rng.nextInt(15);
      logQ[j] = -1f - items[j] / 4f;
    }
    items[5] = 99;
    items[9] = 99;
    logQ[5] = -2f;
    logQ[9] = -3f;
    Tensor rowWeights = Tensor.zeros(DType.FLOAT64, b, 1);
    for (int i = 0; i < b; i++) {
      rowWeights.setFlat(i, 0.5 + rng.nextDouble());
    }
    Tensor queries = RandomTensors.normal(DType.FLOAT64, b, 6, rng);
    Tensor itemEmbeddings = RandomTensors.normal(DType.FLOAT64, 200, 6, rng);
    for (float[] lq : new float[][] {null, logQ}) {
      DistinctColumns columns = new DistinctColumns().build(items, lq, n);
      assertEquals(lq != null, columns.itemRepeats());
      BatchSoftmaxLoss loss = new BatchSoftmaxLoss(0.2, maskHits, 0);
      Tape tape = new Tape();
      double full;
      Tensor fullDq;
      double[][] fullDv = new double[200][6];
      try (Tape t = tape.begin()) {
        Node u = t.input(queries);
        Node w = t.input(rowsOf(itemEmbeddings, items, n));
        Node l = loss.apply(t, u, w, items, lq, rowWeights);
        full = l.value().getFlat(0);
        t.backward(l);
        fullDq = u.grad().copy();
        for (int j = 0; j < n; j++) {
          for (int c = 0; c < 6; c++) {
            fullDv[items[j]][c] += w.grad().get(j, c);
          }
        }
      }
      try (Tape t = tape.begin()) {
        Node u = t.input(queries);
        Node w = t.input(rowsOf(itemEmbeddings, columns.items(), columns.size()));
        Node l = loss.applyDistinct(t, u, w, columns, rowWeights);
        String what = "mask " + maskHits + ", logQ " + (lq != null);
        assertEquals(full, l.value().getFlat(0), 1e-12, what);
        t.backward(l);
        assertClose(fullDq, u.grad(), 1e-12, what + " dq");
        double[][] dv = new double[200][6];
        for (int d = 0; d < columns.size(); d++) {
          for (int c = 0; c < 6; c++) {
            double g = w.grad().get(d, c);
            if (columns.isPadding(d)) {
              assertEquals(0.0, g, what + " padding gradient");
            }
            dv[columns.items()[d]][c] += g;
          }
        }
        for (int item = 0; item < 200; item++) {
          for (int c = 0; c < 6; c++) {
            assertEquals(fullDv[item][c], dv[item][c], 1e-12, what + " dv item " + item);
          }
        }
      }
    }
  }

  private static Tensor rowsOf(Tensor table, int[] rows, int n) {
    Tensor out = Tensor.zeros(DType.FLOAT64, n, table.cols());
    for (int r = 0; r < n; r++) {
      for (int c = 0; c < table.cols(); c++) {
        out.set(r, c, table.get(rows[r], c));
      }
    }
    return out;
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
  void theFullSoftmaxIsTheCatalogueCrossEntropyAndDifferentiable() {
    SplittableRandom rng = new SplittableRandom(9);
    int[] positives = {3, 0, 3, 5};
    double tau = 0.4;
    Tensor q = RandomTensors.normal(DType.FLOAT64, 4, 3, rng);
    Tensor v = RandomTensors.normal(DType.FLOAT64, 6, 3, rng);
    Tensor weights = Tensor.zeros(DType.FLOAT64, 4, 1);
    for (int i = 0; i < 4; i++) {
      weights.setFlat(i, 1 + i);
    }
    // By hand: Σᵢ wᵢ (log Σⱼ exp(sᵢⱼ) − s_{i,posᵢ}) / Σᵢ wᵢ, sᵢⱼ = ⟨qᵢ, vⱼ⟩ / τ.
    double total = 0;
    for (int i = 0; i < 4; i++) {
      double sum = 0;
      double target = 0;
      for (int j = 0; j < 6; j++) {
        double dot = 0;
        for (int k = 0; k < 3; k++) {
          dot += q.get(i, k) * v.get(j, k);
        }
        sum += Math.exp(dot / tau);
        target = j == positives[i] ? dot / tau : target;
      }
      total += (1 + i) * (Math.log(sum) - target);
    }
    // Hits are not masked (each item is one column), so the mask flag changes nothing.
    for (boolean mask : new boolean[] {true, false}) {
      BatchSoftmaxLoss loss = new BatchSoftmaxLoss(tau, mask, 0);
      try (Tape t = new Tape().begin()) {
        Node l = loss.applyCatalogue(t, t.input(q), t.input(v), positives, weights);
        assertEquals(total / 10, l.value().getFlat(0), 1e-12);
      }
    }
    BatchSoftmaxLoss loss = new BatchSoftmaxLoss(tau, true, 0);
    GradCheck.check(
        "full softmax",
        List.of(
            RandomTensors.normal(DType.FLOAT64, 4, 3, rng),
            RandomTensors.normal(DType.FLOAT64, 6, 3, rng)),
        List.of(),
        (t, in) ->
            loss.applyCatalogue(
                t, L2Normalize.rows(t, in[0]), L2Normalize.rows(t, in[1]), positives, weights));
    try (Tape t = new Tape().begin()) {
      assertThrows(
          IllegalArgumentException.class,
          () -> loss.applyCatalogue(t, t.input(q), t.input(v), new int[] {0, 6, 0, 0}, null));
      assertThrows(
          IllegalStateException.class,
          () ->
              new BatchSoftmaxLoss(tau, true, 2)
                  .applyCatalogue(t, t.input(q), t.input(v), positives, null));
    }
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

  @Test
  void hardNegativeMiningKeepsTheKHardestCorrectedNegatives() {
    // Known answer: each row's softmax over its positive and the k negatives with the largest
    // corrected logit s − log q, accidental hits excluded, computed here from the definition.
    SplittableRandom rng = new SplittableRandom(21);
    int b = 5;
    int n = 9;
    int k = 2;
    double tau = 0.4;
    int[] items = {0, 1, 2, 3, 4, 5, 1, 6, 7};
    float[] logQ = new float[n];
    for (int j = 0; j < n; j++) {
      logQ[j] = (float) (-1 - 3 * rng.nextDouble());
    }
    Tensor q = RandomTensors.normal(DType.FLOAT64, b, 4, rng);
    Tensor v = RandomTensors.normal(DType.FLOAT64, n, 4, rng);
    double expected = 0;
    for (int i = 0; i < b; i++) {
      double[] corrected = new double[n];
      for (int j = 0; j < n; j++) {
        double dot = 0;
        for (int d = 0; d < 4; d++) {
          dot += q.get(i, d) * v.get(j, d);
        }
        corrected[j] = dot / tau - logQ[j];
      }
      java.util.List<Integer> negatives = new java.util.ArrayList<>();
      for (int j = 0; j < n; j++) {
        if (j != i && items[j] != items[i]) {
          negatives.add(j);
        }
      }
      negatives.sort((x, y) -> Double.compare(corrected[y], corrected[x]));
      double sum = Math.exp(corrected[i]);
      for (int r = 0; r < k; r++) {
        sum += Math.exp(corrected[negatives.get(r)]);
      }
      expected += -(corrected[i] - Math.log(sum)) / b;
    }
    BatchSoftmaxLoss loss = new BatchSoftmaxLoss(tau, true, k);
    Tape tape = new Tape();
    try (Tape t = tape.begin()) {
      double got =
          loss.apply(t, t.constant(q), t.constant(v), items, logQ, null).value().getFlat(0);
      assertEquals(expected, got, 1e-9);
    }
  }

  @Test
  void refusesBadSettingsAndShapes() {
    assertThrows(IllegalArgumentException.class, () -> new BatchSoftmaxLoss(0, true, 0));
    assertThrows(
        IllegalArgumentException.class,
        () -> new BatchSoftmaxLoss(Double.POSITIVE_INFINITY, true, 0));
    assertThrows(IllegalArgumentException.class, () -> new BatchSoftmaxLoss(0.1, true, -1));
    assertThrows(
        IllegalArgumentException.class,
        () -> new BatchSoftmaxLoss(0.1, true, org.sbcnm.engine.kernel.TopK.MAX_K + 1));
    new BatchSoftmaxLoss(0.1, true, org.sbcnm.engine.kernel.TopK.MAX_K);
    BatchSoftmaxLoss loss = new BatchSoftmaxLoss(0.1, true, 0);
    SplittableRandom rng = new SplittableRandom(2);
    Tape tape = new Tape();
    try (Tape t = tape.begin()) {
      Node q = t.constant(RandomTensors.normal(DType.FLOAT64, 4, 3, rng));
      Node v = t.constant(RandomTensors.normal(DType.FLOAT64, 3, 3, rng));
      assertThrows(
          IllegalArgumentException.class,
          () -> loss.apply(t, q, v, new int[] {0, 1, 2}, null, null),
          "fewer columns than rows");
    }
  }

  @Test
  void withKAtLeastTheNegativesHardMiningKeepsThemAll() {
    // k ≥ n − 1 negatives per row: mining masks nothing, so the loss is the plain masked one.
    SplittableRandom rng = new SplittableRandom(8);
    int[] items = {0, 1, 2, 3, 1};
    float[] logQ = {-1f, -2f, -0.5f, -3f, -2f};
    Tensor q = RandomTensors.normal(DType.FLOAT64, 4, 3, rng);
    Tensor v = RandomTensors.normal(DType.FLOAT64, 5, 3, rng);
    Tape tape = new Tape();
    double plain;
    double mined;
    try (Tape t = tape.begin()) {
      plain =
          new BatchSoftmaxLoss(0.5, true, 0)
              .apply(t, t.constant(q), t.constant(v), items, logQ, null)
              .value()
              .getFlat(0);
    }
    try (Tape t = tape.begin()) {
      mined =
          new BatchSoftmaxLoss(0.5, true, 4)
              .apply(t, t.constant(q), t.constant(v), items, logQ, null)
              .value()
              .getFlat(0);
    }
    assertEquals(plain, mined, 1e-12);
  }

  @Test
  void oneInstanceServesBatchesOfChangingWidthAndType() {
    // The loss reuses its column-term buffers across calls: a batch of another width or type must
    // give what a fresh instance gives, in full and in distinct columns.
    SplittableRandom rng = new SplittableRandom(12);
    BatchSoftmaxLoss reused = new BatchSoftmaxLoss(0.3, true, 0);
    int[][] widths = {{4, 9}, {4, 6}, {3, 9}, {4, 9}};
    DType[] types = {DType.FLOAT64, DType.FLOAT64, DType.FLOAT32, DType.FLOAT64};
    Tape tape = new Tape();
    for (int call = 0; call < widths.length; call++) {
      int b = widths[call][0];
      int n = widths[call][1];
      int[] items = new int[n];
      float[] logQ = new float[n];
      for (int j = 0; j < n; j++) {
        items[j] = rng.nextInt(5);
        logQ[j] = (float) (-1 - rng.nextDouble());
      }
      Tensor q = RandomTensors.normal(types[call], b, 3, rng);
      Tensor v = RandomTensors.normal(types[call], n, 3, rng);
      double tol = types[call] == DType.FLOAT32 ? 1e-5 : 1e-12;
      try (Tape t = tape.begin()) {
        double got =
            reused.apply(t, t.constant(q), t.constant(v), items, logQ, null).value().getFlat(0);
        double fresh =
            new BatchSoftmaxLoss(0.3, true, 0)
                .apply(t, t.constant(q), t.constant(v), items, logQ, null)
                .value()
                .getFlat(0);
        assertEquals(fresh, got, tol, "call " + call);
      }
      DistinctColumns columns = new DistinctColumns().build(items, logQ, n);
      Tensor vd = Tensor.zeros(types[call], columns.size(), 3);
      for (int d = 0; d < columns.distinct(); d++) {
        int first = -1;
        for (int j = 0; j < n && first < 0; j++) {
          if (columns.distinctOf()[j] == d) {
            first = j;
          }
        }
        for (int c = 0; c < 3; c++) {
          vd.set(d, c, v.get(first, c));
        }
      }
      try (Tape t = tape.begin()) {
        double got =
            reused
                .applyDistinct(t, t.constant(q), t.constant(vd), columns, null)
                .value()
                .getFlat(0);
        double fresh =
            new BatchSoftmaxLoss(0.3, true, 0)
                .applyDistinct(t, t.constant(q), t.constant(vd), columns, null)
                .value()
                .getFlat(0);
        assertEquals(fresh, got, tol, "distinct call " + call);
      }
    }
  }
}
