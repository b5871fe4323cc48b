package org.sbcnm.engine.vectors;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import org.sbcnm.engine.tensor.DType;
import org.sbcnm.engine.tensor.Tensor;

/** Reads the PyTorch-computed vectors shipped in test resources and compares against them. */
public final class TestVectors {
  private TestVectors() {}

  public static JsonNode load(String name) {
    try (InputStream in = TestVectors.class.getResourceAsStream("/testvectors/" + name)) {
      if (in == null) {
        throw new IllegalStateException("missing test resource /testvectors/" + name);
      }
      return new ObjectMapper().readTree(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A JSON matrix (list of lists) or vector (list, as [1, n]) as a tensor of the given type. */
  public static Tensor tensor(JsonNode n, DType type) {
    if (n.size() > 0 && n.get(0).isArray()) {
      double[][] v = new double[n.size()][];
      for (int i = 0; i < n.size(); i++) {
        v[i] = new double[n.get(i).size()];
        for (int j = 0; j < v[i].length; j++) {
          v[i][j] = n.get(i).get(j).asDouble();
        }
      }
      return Tensor.of(type, v);
    }
    double[] v = new double[n.size()];
    for (int j = 0; j < v.length; j++) {
      v[j] = n.get(j).asDouble();
    }
    return Tensor.row(type, v);
  }

  /** max |actual − expected| ≤ tol · max |expected| (relative to the tensor's scale). */
  public static void assertClose(Tensor expected, Tensor actual, double tol, String what) {
    assertTrue(
        expected.size() == actual.size(),
        what + ": size " + actual.shape() + " vs " + expected.shape());
    double scale = 0;
    double err = 0;
    for (int k = 0; k < expected.size(); k++) {
      scale = Math.max(scale, Math.abs(expected.getFlat(k)));
      err = Math.max(err, Math.abs(expected.getFlat(k) - actual.getFlat(k)));
    }
    assertTrue(
        err <= tol * Math.max(scale, 1e-300),
        what + ": max error " + err + " relative to scale " + scale);
  }

  public static void assertClose(double expected, double actual, double tol, String what) {
    assertTrue(
        Math.abs(expected - actual) <= tol * Math.abs(expected),
        what + ": " + actual + " vs " + expected);
  }
}
