package org.sbcnm.engine.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The float32 kernels on the Vector API ({@code jdk.incubator.vector}).
 *
 * <p>Every loop follows one template:
 *
 * <pre>{@code
 * int bound = S.loopBound(n);            // whole vectors only; no masked loads in hot loops
 * FloatVector acc0 = zero, acc1 = zero;  // independent accumulators hide the FMA latency
 * for (; k + 2 * L <= bound; k += 2 * L) { acc0 = fma(x(k), y(k), acc0); acc1 = fma(x(k+L), ...); }
 * for (; k < bound; k += L) { acc0 = fma(x(k), y(k), acc0); }
 * float s = sumLanes(acc0.add(acc1));    // lanes added in index order
 * for (; k < n; k++) { s = Math.fma(x[k], y[k], s); }   // scalar tail
 * }</pre>
 *
 * <p>Same input, same bits, whether a call runs interpreted, in C1 or in C2: the Vector API's
 * {@code reduceLanes(ADD)} and {@code lanewise(EXP)} are not (C2 may add lanes as a tree and calls
 * an SVML exp, the Java fallback adds in order and calls {@code Math.exp} per lane), so which
 * version ran depended on compilation timing and two runs of one seed trained different models.
 * Lane sums therefore go through {@link #sumLanes} and exponentials through {@link #exp}, built
 * only from operations IEEE 754 defines exactly.
 *
 * <p>Two accumulators, not four: the vectors our towers produce are 64 to 256 floats long, where a
 * four-way unroll spends more in its tail than it saves in latency. FMA goes through {@link #fma}.
 * The species is the platform's preferred one, held in {@link Species}.
 */
final class SimdKernels implements FloatKernels {
  static final SimdKernels INSTANCE = new SimdKernels();

  /** Species constants in their own holder so that loading them is one decision. */
  static final class Species {
    static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    static final int L = F.length();

    private Species() {}
  }

  private static final VectorSpecies<Float> S = Species.F;
  private static final int L = Species.L;

  /** Σ lanes, added in lane order (reduceLanes(ADD) leaves the order to the compiler). */
  static float sumLanes(FloatVector v) {
    float s = v.lane(0);
    for (int i = 1; i < L; i++) {
      s += v.lane(i);
    }
    return s;
  }

  private static final float LOG2E = 1.44269504f;
  private static final float LN2_HI = 0.693359375f;
  private static final float LN2_LO = -2.12194440e-4f;
  private static final float ROUNDER = 12582912f; // 1.5·2²³: adding it rounds to an integer
  private static final int ROUNDER_BITS = Float.floatToRawIntBits(ROUNDER);
  private static final float EXP_MIN = -87.33654f; // below: the result is 0
  private static final float EXP_MAX = 88f; // above: clamped, so 2ⁿ stays a normal float

  /**
   * e^x per lane: x = n·ln 2 + r with |r| ≤ ln2/2 (Cody–Waite, two-part ln 2), e^r by its degree-7
   * Taylor polynomial (truncation below 6·10⁻⁹, relative), 2ⁿ by writing n into the exponent bits.
   * Lanes below {@link #EXP_MIN}, −∞ included, give 0. Exact operations only, so {@link
   * #exp(float)} is its bit-for-bit scalar twin.
   */
  static FloatVector exp(FloatVector x) {
    VectorMask<Float> zero = x.lt(EXP_MIN);
    FloatVector xc = x.max(EXP_MIN).min(EXP_MAX);
    FloatVector t = xc.fma(LOG2E, ROUNDER);
    FloatVector n = t.sub(ROUNDER);
    FloatVector r = fma(n, FloatVector.broadcast(S, -LN2_HI), xc);
    r = fma(n, FloatVector.broadcast(S, -LN2_LO), r);
    FloatVector p = FloatVector.broadcast(S, 1f / 5040);
    p = fma(p, r, FloatVector.broadcast(S, 1f / 720));
    p = fma(p, r, FloatVector.broadcast(S, 1f / 120));
    p = fma(p, r, FloatVector.broadcast(S, 1f / 24));
    p = fma(p, r, FloatVector.broadcast(S, 1f / 6));
    p = fma(p, r, FloatVector.broadcast(S, 0.5f));
    p = fma(p, r, FloatVector.broadcast(S, 1f));
    p = fma(p, r, FloatVector.broadcast(S, 1f));
    IntVector bits = t.reinterpretAsInts();
    FloatVector twoN =
        bits.sub(ROUNDER_BITS - 127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
    return p.mul(twoN).blend(0f, zero);
  }

  /** The scalar twin of {@link #exp(FloatVector)}: the same operations, so the same bits. */
  static float exp(float x) {
    if (x < EXP_MIN) {
      return 0f;
    }
    float xc = Math.min(x, EXP_MAX);
    float t = Math.fma(xc, LOG2E, ROUNDER);
    float n = t - ROUNDER;
    float r = Math.fma(n, -LN2_HI, xc);
    r = Math.fma(n, -LN2_LO, r);
    float p = 1f / 5040;
    p = Math.fma(p, r, 1f / 720);
    p = Math.fma(p, r, 1f / 120);
    p = Math.fma(p, r, 1f / 24);
    p = Math.fma(p, r, 1f / 6);
    p = Math.fma(p, r, 0.5f);
    p = Math.fma(p, r, 1f);
    p = Math.fma(p, r, 1f);
    float twoN = Float.intBitsToFloat((Float.floatToRawIntBits(t) - (ROUNDER_BITS - 127)) << 23);
    return p * twoN;
  }

  private SimdKernels() {}

  private static FloatVector fma(FloatVector a, FloatVector b, FloatVector acc) {
    return a.fma(b, acc);
  }

  @Override
  public String name() {
    return "simd";
  }

  @Override
  public int lanes() {
    return L;
  }

  @Override
  public float dot(float[] a, int ao, float[] b, int bo, int n) {
    int bound = S.loopBound(n);
    FloatVector acc0 = FloatVector.zero(S);
    FloatVector acc1 = FloatVector.zero(S);
    int k = 0;
    for (; k + 2 * L <= bound; k += 2 * L) {
      acc0 = fma(FloatVector.fromArray(S, a, ao + k), FloatVector.fromArray(S, b, bo + k), acc0);
      acc1 =
          fma(
              FloatVector.fromArray(S, a, ao + k + L),
              FloatVector.fromArray(S, b, bo + k + L),
              acc1);
    }
    for (; k < bound; k += L) {
      acc0 = fma(FloatVector.fromArray(S, a, ao + k), FloatVector.fromArray(S, b, bo + k), acc0);
    }
    float s = sumLanes(acc0.add(acc1));
    for (; k < n; k++) {
      s = Math.fma(a[ao + k], b[bo + k], s);
    }
    return s;
  }

  @Override
  public void axpy(float alpha, float[] x, int xo, float[] y, int yo, int n) {
    int bound = S.loopBound(n);
    FloatVector va = FloatVector.broadcast(S, alpha);
    int k = 0;
    for (; k < bound; k += L) {
      fma(va, FloatVector.fromArray(S, x, xo + k), FloatVector.fromArray(S, y, yo + k))
          .intoArray(y, yo + k);
    }
    for (; k < n; k++) {
      y[yo + k] = Math.fma(alpha, x[xo + k], y[yo + k]);
    }
  }

  @Override
  public void scale(float alpha, float[] x, int xo, float[] out, int oo, int n) {
    int bound = S.loopBound(n);
    int k = 0;
    for (; k < bound; k += L) {
      FloatVector.fromArray(S, x, xo + k).mul(alpha).intoArray(out, oo + k);
    }
    for (; k < n; k++) {
      out[oo + k] = alpha * x[xo + k];
    }
  }

  @Override
  public void add(float[] a, int ao, float[] b, int bo, float[] out, int oo, int n) {
    int bound = S.loopBound(n);
    int k = 0;
    for (; k < bound; k += L) {
      FloatVector.fromArray(S, a, ao + k)
          .add(FloatVector.fromArray(S, b, bo + k))
          .intoArray(out, oo + k);
    }
    for (; k < n; k++) {
      out[oo + k] = a[ao + k] + b[bo + k];
    }
  }

  @Override
  public void mul(float[] a, int ao, float[] b, int bo, float[] out, int oo, int n) {
    int bound = S.loopBound(n);
    int k = 0;
    for (; k < bound; k += L) {
      FloatVector.fromArray(S, a, ao + k)
          .mul(FloatVector.fromArray(S, b, bo + k))
          .intoArray(out, oo + k);
    }
    for (; k < n; k++) {
      out[oo + k] = a[ao + k] * b[bo + k];
    }
  }

  @Override
  public void mulAdd(float[] a, int ao, float[] b, int bo, float[] out, int oo, int n) {
    int bound = S.loopBound(n);
    int k = 0;
    for (; k < bound; k += L) {
      fma(
              FloatVector.fromArray(S, a, ao + k),
              FloatVector.fromArray(S, b, bo + k),
              FloatVector.fromArray(S, out, oo + k))
          .intoArray(out, oo + k);
    }
    for (; k < n; k++) {
      out[oo + k] = Math.fma(a[ao + k], b[bo + k], out[oo + k]);
    }
  }

  @Override
  public void relu(float[] x, int xo, float[] out, int oo, int n) {
    int bound = S.loopBound(n);
    int k = 0;
    for (; k < bound; k += L) {
      FloatVector.fromArray(S, x, xo + k).max(0f).intoArray(out, oo + k);
    }
    for (; k < n; k++) {
      out[oo + k] = Math.max(x[xo + k], 0f);
    }
  }

  @Override
  public void reluBackward(
      float[] x, int xo, float[] g, int go, boolean accumulate, float[] out, int oo, int n) {
    int bound = S.loopBound(n);
    int k = 0;
    FloatVector zero = FloatVector.zero(S);
    for (; k < bound; k += L) {
      VectorMask<Float> on = FloatVector.fromArray(S, x, xo + k).compare(VectorOperators.GT, 0f);
      FloatVector d = zero.blend(FloatVector.fromArray(S, g, go + k), on);
      if (accumulate) {
        d = FloatVector.fromArray(S, out, oo + k).add(d);
      }
      d.intoArray(out, oo + k);
    }
    for (; k < n; k++) {
      float d = x[xo + k] > 0f ? g[go + k] : 0f;
      out[oo + k] = accumulate ? out[oo + k] + d : d;
    }
  }

  @Override
  public float sum(float[] x, int xo, int n) {
    int bound = S.loopBound(n);
    FloatVector acc0 = FloatVector.zero(S);
    FloatVector acc1 = FloatVector.zero(S);
    int k = 0;
    for (; k + 2 * L <= bound; k += 2 * L) {
      acc0 = acc0.add(FloatVector.fromArray(S, x, xo + k));
      acc1 = acc1.add(FloatVector.fromArray(S, x, xo + k + L));
    }
    for (; k < bound; k += L) {
      acc0 = acc0.add(FloatVector.fromArray(S, x, xo + k));
    }
    float s = sumLanes(acc0.add(acc1));
    for (; k < n; k++) {
      s += x[xo + k];
    }
    return s;
  }

  @Override
  public float sumSquares(float[] x, int xo, int n) {
    return dot(x, xo, x, xo, n);
  }

  @Override
  public float max(float[] x, int xo, int n) {
    int bound = S.loopBound(n);
    FloatVector acc = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
    int k = 0;
    for (; k < bound; k += L) {
      acc = acc.max(FloatVector.fromArray(S, x, xo + k));
    }
    float m = acc.reduceLanes(VectorOperators.MAX);
    for (; k < n; k++) {
      m = Math.max(m, x[xo + k]);
    }
    return m;
  }

  @Override
  public float expShifted(float[] x, int xo, float shift, float[] out, int oo, int n) {
    int bound = S.loopBound(n);
    FloatVector acc = FloatVector.zero(S);
    int k = 0;
    for (; k < bound; k += L) {
      FloatVector e = exp(FloatVector.fromArray(S, x, xo + k).sub(shift));
      e.intoArray(out, oo + k);
      acc = acc.add(e);
    }
    float s = sumLanes(acc);
    for (; k < n; k++) {
      float e = exp(x[xo + k] - shift);
      out[oo + k] = e;
      s += e;
    }
    return s;
  }

  @Override
  public int firstAbove(float[] x, int from, int to, float threshold) {
    int k = from;
    int bound = from + S.loopBound(to - from);
    for (; k < bound; k += L) {
      VectorMask<Float> hit = FloatVector.fromArray(S, x, k).compare(VectorOperators.GT, threshold);
      if (hit.anyTrue()) {
        return k + hit.firstTrue();
      }
    }
    for (; k < to; k++) {
      if (x[k] > threshold) {
        return k;
      }
    }
    return to;
  }

  @Override
  public void gemm(
      boolean transA,
      boolean transB,
      int m,
      int n,
      int k,
      float alpha,
      float[] a,
      int ao,
      int lda,
      float[] b,
      int bo,
      int ldb,
      float beta,
      float[] c,
      int co,
      int ldc) {
    SimdGemm.gemm(transA, transB, m, n, k, alpha, a, ao, lda, b, bo, ldb, beta, c, co, ldc);
  }
}
