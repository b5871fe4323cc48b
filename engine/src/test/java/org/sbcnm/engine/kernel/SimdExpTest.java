package org.sbcnm.engine.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;

/**
 * The vector exp (the loop of {@code expShifted}) and lane sum are deterministic by construction:
 * the vector exp must equal its scalar twin bit for bit (which is what makes interpreted and
 * compiled runs agree), and both must be close to {@code Math.exp}.
 */
class SimdExpTest {
  private static final int L = SimdKernels.Species.L;

  private static float[] inputs() {
    SplittableRandom rng = new SplittableRandom(11);
    float[] x = new float[4096 + 16];
    for (int i = 0; i < 4096; i++) {
      x[i] = (float) (rng.nextDouble() * 200 - 110);
    }
    float[] special = {
      Float.NEGATIVE_INFINITY,
      -87.4f,
      -87.33654f,
      -87.3f,
      -1e-30f,
      0f,
      -0f,
      1e-30f,
      -0.34657359f,
      0.34657359f,
      1f,
      -1f,
      88f,
      88.5f,
      Float.POSITIVE_INFINITY,
      -200f
    };
    System.arraycopy(special, 0, x, 4096, special.length);
    return x;
  }

  @Test
  void vectorExpIsItsScalarTwinBitForBit() {
    float[] x = inputs();
    float[] out = new float[x.length];
    // Enough passes for the JIT to compile both versions, so interpreted and compiled runs of the
    // same code are both held to the scalar twin.
    for (int pass = 0; pass < 200; pass++) {
      // x.length is a multiple of every vector width, so no element falls to the scalar tail.
      SimdKernels.INSTANCE.expShifted(x, 0, 0f, out, 0, x.length);
      for (int i = 0; i < x.length; i++) {
        int at = i;
        int p = pass;
        assertEquals(
            Float.floatToRawIntBits(SimdKernels.exp(x[i])),
            Float.floatToRawIntBits(out[i]),
            () -> "exp(" + x[at] + ") in pass " + p);
      }
    }
  }

  @Test
  void expIsAccurateAndZeroBelowRange() {
    for (float v : inputs()) {
      float e = SimdKernels.exp(v);
      if (v < -87.33654f) {
        assertEquals(0f, e, "exp(" + v + ")");
      } else if (v <= 88f) {
        double want = Math.exp(v);
        // Near the bottom of the range the result is subnormal and has fewer bits to be exact in.
        double tol = want < 1e-37 ? 1e-44 : 3e-7 * want;
        assertTrue(Math.abs(e - want) <= tol, "exp(" + v + ") = " + e + ", want " + want);
      } else {
        assertEquals(SimdKernels.exp(88f), e, "clamped exp(" + v + ")");
      }
    }
  }

  @Test
  void sumLanesAddsInLaneOrder() {
    float[] x = new float[L];
    x[0] = 1e8f;
    for (int i = 1; i < L; i++) {
      x[i] = i % 2 == 0 ? -1e8f : 3f;
    }
    float want = x[0];
    for (int i = 1; i < L; i++) {
      want += x[i];
    }
    float got =
        SimdKernels.sumLanes(
            FloatVector.fromArray(SimdKernels.Species.F, x, 0),
            FloatVector.zero(SimdKernels.Species.F));
    assertEquals(Float.floatToRawIntBits(want), Float.floatToRawIntBits(got));
  }
}
