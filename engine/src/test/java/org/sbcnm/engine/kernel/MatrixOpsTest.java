package org.sbcnm.engine.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;
import org.sbcnm.engine.tensor.DType;
import org.sbcnm.engine.tensor.Tensor;
import org.sbcnm.engine.testing.RandomTensors;

/** Tensor-level ops: float32 (kernels) against float64 (plain loops), and known answers. */
class MatrixOpsTest {
  @Test
  void elementWiseOpsOnLargeTensorsAgreeWithFloat64OnTwoThreads() {
    // 301 × 257 floats is past the size at which element-wise ops split over the kernel threads;
    // the odd row count leaves the two halves unequal.
    SplittableRandom rng = new SplittableRandom(23);
    Tensor xd = RandomTensors.normal(DType.FLOAT64, 301, 257, rng);
    Tensor gd = RandomTensors.normal(DType.FLOAT64, 301, 257, rng);
    Tensor bd = RandomTensors.normal(DType.FLOAT64, 1, 257, rng);
    Tensor xf = xd.copy(DType.FLOAT32);
    Tensor gf = gd.copy(DType.FLOAT32);
    Tensor bf = bd.copy(DType.FLOAT32);
    int threads = Kernels.threads();
    try {
      Kernels.setThreads(2);
      Tensor od = gd.copy();
      Tensor of = gf.copy();
      MatrixOps.relu(xd, od);
      MatrixOps.relu(xf, of);
      close(od, of, 1e-6);
      for (double beta : new double[] {0, 1}) {
        od = gd.copy();
        of = gf.copy();
        MatrixOps.reluBackward(xd, gd, beta, od);
        MatrixOps.reluBackward(xf, gf, beta, of);
        close(od, of, 1e-6);
      }
      MatrixOps.addRowVector(xd, bd, od);
      MatrixOps.addRowVector(xf, bf, of);
      close(od, of, 1e-6);
      MatrixOps.axpy(-0.5, xd, od);
      MatrixOps.axpy(-0.5, xf, of);
      close(od, of, 1e-6);
      MatrixOps.scale(3.0, xd, od);
      MatrixOps.scale(3.0, xf, of);
      close(od, of, 1e-5);
    } finally {
      Kernels.setThreads(threads);
    }
  }

  @Test
  void float32AgreesWithFloat64() {
    SplittableRandom rng = new SplittableRandom(21);
    Tensor xd = RandomTensors.normal(DType.FLOAT64, 17, 61, rng);
    Tensor xf = xd.copy(DType.FLOAT32);
    Tensor od = Tensor.zeros(DType.FLOAT64, 17, 61);
    Tensor of = Tensor.zeros(DType.FLOAT32, 17, 61);
    MatrixOps.rowSoftmax(xd, od);
    MatrixOps.rowSoftmax(xf, of);
    close(od, of, 1e-6);
    Tensor nd = Tensor.zeros(DType.FLOAT64, 17, 1);
    Tensor nf = Tensor.zeros(DType.FLOAT32, 17, 1);
    MatrixOps.rowL2Normalize(xd, od, nd, 1e-12);
    MatrixOps.rowL2Normalize(xf, of, nf, 1e-12);
    close(od, of, 1e-6);
    close(nd, nf, 1e-5);
    MatrixOps.rowLogSumExp(xd, nd, od);
    MatrixOps.rowLogSumExp(xf, nf, of);
    close(nd, nf, 1e-5);
    MatrixOps.rowSums(xd, nd);
    MatrixOps.rowSums(xf, nf);
    close(nd, nf, 1e-5);
    Tensor cd = Tensor.zeros(DType.FLOAT64, 1, 61);
    Tensor cf = Tensor.zeros(DType.FLOAT32, 1, 61);
    MatrixOps.addColumnSums(xd, cd);
    MatrixOps.addColumnSums(xf, cf);
    close(cd, cf, 1e-5);
  }

  @Test
  void knownAnswers() {
    Tensor x = Tensor.of(DType.FLOAT32, new double[][] {{0, Math.log(3)}, {1000, 1000}});
    Tensor out = Tensor.zeros(2, 2);
    MatrixOps.rowSoftmax(x, out);
    assertEquals(0.25, out.get(0, 0), 1e-7);
    assertEquals(0.75, out.get(0, 1), 1e-7);
    assertEquals(0.5, out.get(1, 0), 1e-7); // stable for large logits
    for (org.sbcnm.engine.tensor.DType type : org.sbcnm.engine.tensor.DType.values()) {
      Tensor inPlace = Tensor.of(type, new double[][] {{0, Math.log(3)}, {2, 2}});
      MatrixOps.rowSoftmax(inPlace, inPlace);
      assertEquals(0.75, inPlace.get(0, 1), 1e-7, "softmax in place, " + type);
      assertEquals(0.5, inPlace.get(1, 0), 1e-7);
    }
    Tensor lse = Tensor.zeros(2, 1);
    MatrixOps.rowLogSumExp(x, lse, out);
    assertEquals(Math.log(4), lse.get(0, 0), 1e-6);
    assertEquals(1000 + Math.log(2), lse.get(1, 0), 1e-3);
  }

  @Test
  void shapeAndTypeErrors() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> MatrixOps.add(Tensor.zeros(2, 3), Tensor.zeros(3, 2), Tensor.zeros(2, 3)));
    assertEquals("add: [2, 3] x [3, 2] -> [2, 3]", e.getMessage());
    e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                MatrixOps.add(
                    Tensor.zeros(2, 3), Tensor.zeros(DType.FLOAT64, 2, 3), Tensor.zeros(2, 3)));
    assertEquals("add: mixed types FLOAT32 and FLOAT64", e.getMessage());
  }

  @Test
  void parallelForRunsEveryChunkOnceUnderConcurrentCallers() throws InterruptedException {
    Kernels.setThreads(2);
    AtomicIntegerArray hits = new AtomicIntegerArray(4 * 1000);
    Thread[] callers = new Thread[4];
    for (int c = 0; c < callers.length; c++) {
      int base = c * 1000;
      callers[c] =
          new Thread(
              () -> {
                for (int rep = 0; rep < 50; rep++) {
                  Kernels.parallelFor(1000, chunk -> hits.incrementAndGet(base + chunk));
                }
              });
      callers[c].start();
    }
    for (Thread t : callers) {
      t.join();
    }
    for (int i = 0; i < hits.length(); i++) {
      assertEquals(50, hits.get(i), "chunk " + i);
    }
    // A chunk that runs a parallel loop itself (as the exact index does with GEMM) runs it inline.
    AtomicIntegerArray nested = new AtomicIntegerArray(8 * 8);
    Kernels.parallelFor(
        8, outer -> Kernels.parallelFor(8, inner -> nested.incrementAndGet(outer * 8 + inner)));
    for (int i = 0; i < nested.length(); i++) {
      assertEquals(1, nested.get(i), "nested chunk " + i);
    }
    RuntimeException boom =
        assertThrows(
            RuntimeException.class,
            () ->
                Kernels.parallelFor(
                    8,
                    chunk -> {
                      if (chunk == 5) {
                        throw new IllegalStateException("chunk 5 failed");
                      }
                    }));
    assertEquals("chunk 5 failed", boom.getMessage());
  }

  private static void close(Tensor expected, Tensor actual, double tol) {
    for (int k = 0; k < expected.size(); k++) {
      double e = expected.getFlat(k);
      assertEquals(e, actual.getFlat(k), tol * Math.max(1, Math.abs(e)), "element " + k);
    }
  }
}
