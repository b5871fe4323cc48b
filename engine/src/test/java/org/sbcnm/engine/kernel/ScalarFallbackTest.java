package org.sbcnm.engine.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import org.junit.jupiter.api.Test;
import org.sbcnm.engine.tensor.DType;
import org.sbcnm.engine.tensor.Tensor;

/**
 * Runs in its own Surefire execution on a JVM started without {@code --add-modules
 * jdk.incubator.vector}: the provider must fall back to the scalar kernels, and they must work.
 */
class ScalarFallbackTest {
  @Test
  void fallsBackToScalarKernels() {
    assertFalse(Kernels.vectorApiAvailable(), "this test must run without the Vector API module");
    assertEquals("scalar", Kernels.implementation());
    assertEquals(1, Kernels.lanes());
    Tensor a = Tensor.of(DType.FLOAT32, new double[][] {{1, 2}, {3, 4}});
    Tensor c = Tensor.zeros(2, 2);
    MatrixOps.gemm(false, true, 1, a, a, 0, c);
    assertEquals(5, c.get(0, 0));
    assertEquals(25, c.get(1, 1));
  }
}
