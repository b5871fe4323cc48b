package org.sbcnm.engine.vectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.sbcnm.engine.vectors.TestVectors.assertClose;
import static org.sbcnm.engine.vectors.TestVectors.tensor;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.sbcnm.engine.autograd.Node;
import org.sbcnm.engine.autograd.Tape;
import org.sbcnm.engine.ops.Bias;
import org.sbcnm.engine.ops.Elementwise;
import org.sbcnm.engine.ops.L2Normalize;
import org.sbcnm.engine.ops.MatMul;
import org.sbcnm.engine.ops.Relu;
import org.sbcnm.engine.ops.SoftmaxCrossEntropy;
import org.sbcnm.engine.ops.SparseDense;
import org.sbcnm.engine.param.Parameter;
import org.sbcnm.engine.sparse.CsrMatrix;
import org.sbcnm.engine.tensor.BitMatrix;
import org.sbcnm.engine.tensor.DType;
import org.sbcnm.engine.tensor.Tensor;

/**
 * The engine's ops reproduce PyTorch's float64 losses and gradients (shared/testvectors, copied
 * into test resources): relative error 1e-6 in float64 and 1e-4 in float32.
 */
class PyTorchVectorsTest {
  private static final String[] LAYERS = {"W1", "b1", "W2", "b2", "W3", "b3"};

  private static double tol(DType type) {
    return type == DType.FLOAT64 ? 1e-6 : 1e-4;
  }

  private static List<Parameter> tower(JsonNode json, String prefix, DType type) {
    List<Parameter> ps = new ArrayList<>();
    for (String name : LAYERS) {
      ps.add(new Parameter(prefix + name, tensor(json.get(name), type), false));
    }
    return ps;
  }

  /** Linear(·)ᵀ + b, ReLU between layers, L2-normalised output (the vectors' tower). */
  private static Node forward(Tape t, Node x, List<Parameter> ps) {
    int layers = ps.size() / 2;
    for (int l = 0; l < layers; l++) {
      x = Bias.add(t, MatMul.abT(t, x, t.param(ps.get(2 * l))), t.param(ps.get(2 * l + 1)));
      if (l < layers - 1) {
        x = Relu.apply(t, x);
      }
    }
    return L2Normalize.rows(t, x);
  }

  @ParameterizedTest
  @CsvSource({
    "twotower_nologq_nomask.json, FLOAT64", "twotower_nologq_mask.json, FLOAT64",
    "twotower_logq_nomask.json, FLOAT64", "twotower_logq_mask.json, FLOAT64",
    "twotower_nologq_nomask.json, FLOAT32", "twotower_logq_mask.json, FLOAT32"
  })
  void twoTowerLossAndGradients(String file, DType type) {
    JsonNode v = TestVectors.load(file);
    JsonNode cfg = v.get("config");
    double temperature = cfg.get("temperature").asDouble();
    List<Parameter> qp = tower(v.get("query_tower"), "q.", type);
    List<Parameter> ip = tower(v.get("item_tower"), "i.", type);
    int b = cfg.get("batch").asInt();
    Tensor columnTerm = null;
    if (cfg.get("logq_correction").asBoolean()) {
      columnTerm = tensor(v.get("log_p"), type);
      for (int j = 0; j < b; j++) {
        columnTerm.setFlat(j, -columnTerm.getFlat(j));
      }
    }
    BitMatrix mask = null;
    if (cfg.get("accidental_hit_masking").asBoolean()) {
      mask = new BitMatrix(b, b);
      JsonNode items = v.get("item_ids");
      for (int i = 0; i < b; i++) {
        for (int j = 0; j < b; j++) {
          if (i != j && items.get(i).asLong() == items.get(j).asLong()) {
            mask.set(i, j);
          }
        }
      }
    }
    Tape tape = new Tape();
    try (Tape t = tape.begin()) {
      Node q = forward(t, t.constant(tensor(v.get("x_query"), type)), qp);
      Node i = forward(t, t.constant(tensor(v.get("x_item"), type)), ip);
      Node logits = MatMul.apply(t, q, i, false, true, 1.0 / temperature);
      Node loss = SoftmaxCrossEntropy.apply(t, logits, null, null, columnTerm, mask);
      double tol = tol(type);
      assertClose(tensor(v.get("q_embeddings"), DType.FLOAT64), q.value(), tol, file + " q");
      assertClose(tensor(v.get("v_embeddings"), DType.FLOAT64), i.value(), tol, file + " v");
      assertClose(v.get("loss").asDouble(), loss.value().getFlat(0), tol, file + " loss");
      t.backward(loss);
      for (int k = 0; k < LAYERS.length; k++) {
        assertClose(
            tensor(v.get("grad_query_tower").get(LAYERS[k]), DType.FLOAT64),
            qp.get(k).grad(),
            tol,
            file + " dq." + LAYERS[k]);
        assertClose(
            tensor(v.get("grad_item_tower").get(LAYERS[k]), DType.FLOAT64),
            ip.get(k).grad(),
            tol,
            file + " di." + LAYERS[k]);
      }
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"FLOAT64", "FLOAT32"})
  void dcnV2CrossLayers(DType type) {
    JsonNode v = TestVectors.load("dcn_v2_cross.json");
    int layers = v.get("layers").asInt();
    Tape tape = new Tape();
    List<Parameter> ws = new ArrayList<>();
    List<Parameter> bs = new ArrayList<>();
    for (int l = 0; l < layers; l++) {
      ws.add(new Parameter("W" + l, tensor(v.get("W").get(l), type), false));
      bs.add(new Parameter("b" + l, tensor(v.get("b").get(l), type), false));
    }
    double tol = tol(type);
    try (Tape t = tape.begin()) {
      Node x0 = t.input(tensor(v.get("x0"), type));
      Node x = x0;
      for (int l = 0; l < layers; l++) {
        Node lin = Bias.add(t, MatMul.abT(t, x, t.param(ws.get(l))), t.param(bs.get(l)));
        x = Elementwise.add(t, Elementwise.mul(t, x0, lin), x);
        assertClose(
            tensor(v.get("layer_outputs").get(l), DType.FLOAT64), x.value(), tol, "dcn layer " + l);
      }
      Node loss = Elementwise.sum(t, Elementwise.mul(t, x, t.constant(tensor(v.get("R"), type))));
      assertClose(v.get("loss").asDouble(), loss.value().getFlat(0), tol, "dcn loss");
      t.backward(loss);
      assertClose(tensor(v.get("grad_x0"), DType.FLOAT64), x0.grad(), tol, "dcn dx0");
      for (int l = 0; l < layers; l++) {
        assertClose(
            tensor(v.get("grad_W").get(l), DType.FLOAT64), ws.get(l).grad(), tol, "dcn dW" + l);
        assertClose(
            tensor(v.get("grad_b").get(l), DType.FLOAT64), bs.get(l).grad(), tol, "dcn db" + l);
      }
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"FLOAT64", "FLOAT32"})
  void gcnPropagation(DType type) {
    JsonNode v = TestVectors.load("gcn_propagation.json");
    int n = v.get("n").asInt();
    JsonNode edges = v.get("edges");
    int[] r = new int[2 * edges.size()];
    int[] c = new int[2 * edges.size()];
    double[] w = new double[2 * edges.size()];
    for (int e = 0; e < edges.size(); e++) {
      int s = edges.get(e).get("src").asInt();
      int d = edges.get(e).get("dst").asInt();
      double weight = edges.get(e).get("weight").asDouble();
      r[2 * e] = s;
      c[2 * e] = d;
      r[2 * e + 1] = d;
      c[2 * e + 1] = s;
      w[2 * e] = weight;
      w[2 * e + 1] = weight;
    }
    CsrMatrix norm = CsrMatrix.fromCoo(n, n, r, c, w).symmetricNormalizedWithSelfLoops();
    double tol = tol(type);
    assertClose(
        tensor(v.get("normalized_adjacency"), DType.FLOAT64),
        Tensor.of(DType.FLOAT64, norm.toDense()),
        1e-12,
        "gcn norm");
    Tape tape = new Tape();
    for (String which : new String[] {"one_layer", "two_layer"}) {
      JsonNode layer = v.get(which);
      try (Tape t = tape.begin()) {
        Node e0 = t.input(tensor(v.get("E0"), type));
        Node e = SparseDense.multiply(t, norm, e0);
        if (which.equals("two_layer")) {
          e = SparseDense.multiply(t, norm, e);
        }
        assertClose(tensor(layer.get("out"), DType.FLOAT64), e.value(), tol, which + " out");
        Node loss =
            Elementwise.sum(t, Elementwise.mul(t, e, t.constant(tensor(layer.get("R"), type))));
        assertClose(layer.get("loss").asDouble(), loss.value().getFlat(0), tol, which + " loss");
        t.backward(loss);
        assertClose(tensor(layer.get("grad_E0"), DType.FLOAT64), e0.grad(), tol, which + " dE0");
      }
    }
  }

  @Test
  void adamOnAnEmbeddingTableMatchesTorchStepByStep() {
    // torch.optim.Adam and AdamW (adam_embedding.py) on an nn.Embedding whose batches touch a few
    // rows, one row twice: every row moves each step, untouched ones with their momentum.
    JsonNode v = TestVectors.load("adam_embedding.json");
    for (JsonNode c : v.get("cases")) {
      Parameter emb = new Parameter("emb", TestVectors.tensor(v.get("init"), DType.FLOAT32), true);
      org.sbcnm.engine.optim.Adam adam =
          "adamw".equals(c.get("optimizer").asText())
              ? org.sbcnm.engine.optim.Adam.adamW(0.05, 0.1)
              : org.sbcnm.engine.optim.Adam.adam(0.05);
      adam.init(java.util.List.of(emb));
      for (int s = 0; s < v.get("steps").size(); s++) {
        JsonNode step = v.get("steps").get(s);
        adam.zeroGrad();
        for (int r = 0; r < step.get("rows").size(); r++) {
          int row = step.get("rows").get(r).asInt();
          for (int d = 0; d < 3; d++) {
            emb.grad()
                .set(row, d, emb.grad().get(row, d) + step.get("grad").get(r).get(d).asDouble());
          }
          emb.markRow(row);
        }
        adam.step();
        Tensor expected = TestVectors.tensor(c.get("weights_after_step").get(s), DType.FLOAT32);
        for (int k = 0; k < expected.size(); k++) {
          assertEquals(
              expected.getFlat(k),
              emb.value().getFlat(k),
              1e-6,
              c.get("optimizer").asText() + " step " + (s + 1) + " element " + k);
        }
      }
    }
  }
}
