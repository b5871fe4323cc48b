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
 * for (; k + 2 * L <= bound; k += 2 * L) { acc0 = x(k).fma(y(k), acc0); acc1 = x(k+L).fma(...); }
 * for (; k < bound; k += L) { acc0 = x(k).fma(y(k), acc0); }
 * float s = sumLanes(acc0, acc1);         // lanes added in index order
 * for (; k < n; k++) { s = Math.fma(x[k], y[k], s); }   // scalar tail
 * }</pre>
 *
 * <p>Same input, same bits, whether a call runs interpreted, in C1 or in C2: the Vector API's
 * {@code reduceLanes(ADD)} and {@code lanewise(EXP)} are not (C2 may add lanes as a tree and calls
 * an SVML exp, the Java fallback adds in order and calls {@code Math.exp} per lane), so which
 * version ran depended on compilation timing and two runs of one seed trained different models.
 * Lane sums therefore go through {@link #sumLanes} and exponentials through the loop of {@link
 * #expShifted} (scalar twin {@link #exp}), built only from operations IEEE 754 defines exactly.
 *
 * <p>Two accumulators, not four: the vectors our towers produce are 64 to 256 floats long, where a
 * four-way unroll spends more in its tail than it saves in latency. A loop-carried vector is never
 * the receiver of a call, only an argument ({@code acc = x.fma(y, acc)}, {@code e.add(acc)}): at
 * the loop head C2 knows such a vector only as a FloatVector, so a call on it is a virtual call
 * that C2 binds by profile, and the JDK's shared profiles sometimes made it keep a real virtual
 * call, for which the vector must exist as an object, allocated on every iteration (7 MB per
 * training step in some runs of one jar, none in others). No helper takes and returns a vector
 * either. The species is the platform's preferred one, held in {@link Species}.
 */
final class SimdKernels implements FloatKernels {
  static final SimdKernels INSTANCE = new SimdKernels();

  /** Species constants in their own holder so that loading them is one decision. */
  static final class Species {
    static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    static final int L = F.length();

    /** Int lanes of the same count, for counting through float masks. */
    static final VectorSpecies<Integer> I = F.withLanes(int.class);

    private Species() {}
  }

  private static final VectorSpecies<Float> S = Species.F;
  private static final int L = Species.L;

  /**
   * Σ lanes of a + b, added in lane order (reduceLanes(ADD) leaves the order to the compiler).
   *
   * <p>a and b are loop accumulators. See the class comment for why they are only ever arguments:
   * −0 + a + b starts from a vector whose class C2 knows, and −0 + x = x for every x.
   */
  static float sumLanes(FloatVector a, FloatVector b) {
    FloatVector v = FloatVector.broadcast(S, -0f).add(a).add(b);
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
   * e^x: x = n·ln 2 + r with |r| ≤ ln2/2 (Cody–Waite, two-part ln 2), e^r by its degree-7 Taylor
   * polynomial (truncation below 6·10⁻⁹, relative) in Estrin's form, 2ⁿ by writing n into the
   * exponent bits. Below {@link #EXP_MIN} (−∞ included) the result is 0; above {@link #EXP_MAX} x
   * is clamped; NaN stays NaN. The scalar twin of the vector loop in {@link #expShifted}: the same
   * exactly-rounded operations in the same order, so the same bits.
   */
  static float exp(float x) {
    if (x < EXP_MIN) {
      return 0f;
    }
    float xc = x > EXP_MAX ? EXP_MAX : x;
    float t = Math.fma(xc, LOG2E, ROUNDER);
    float n = t - ROUNDER;
    float r = Math.fma(n, -LN2_HI, xc);
    r = Math.fma(n, -LN2_LO, r);
    float r2 = r * r;
    float c01 = r + 1f;
    float c23 = Math.fma(r, 1f / 6, 0.5f);
    float c45 = Math.fma(r, 1f / 120, 1f / 24);
    float c67 = Math.fma(r, 1f / 5040, 1f / 720);
    float low = Math.fma(c23, r2, c01);
    float high = Math.fma(c67, r2, c45);
    float p = Math.fma(high, r2 * r2, low);
    float twoN = Float.intBitsToFloat((Float.floatToRawIntBits(t) - (ROUNDER_BITS - 127)) << 23);
    return p * twoN;
  }

  private SimdKernels() {}

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
      acc0 = FloatVector.fromArray(S, a, ao + k).fma(FloatVector.fromArray(S, b, bo + k), acc0);
      acc1 =
          FloatVector.fromArray(S, a, ao + k + L)
              .fma(FloatVector.fromArray(S, b, bo + k + L), acc1);
    }
    for (; k < bound; k += L) {
      acc0 = FloatVector.fromArray(S, a, ao + k).fma(FloatVector.fromArray(S, b, bo + k), acc0);
    }
    float s = sumLanes(acc0, acc1);
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
      va.fma(FloatVector.fromArray(S, x, xo + k), FloatVector.fromArray(S, y, yo + k))
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
      FloatVector.fromArray(S, a, ao + k)
          .fma(FloatVector.fromArray(S, b, bo + k), FloatVector.fromArray(S, out, oo + k))
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
      acc0 = FloatVector.fromArray(S, x, xo + k).add(acc0);
      acc1 = FloatVector.fromArray(S, x, xo + k + L).add(acc1);
    }
    for (; k < bound; k += L) {
      acc0 = FloatVector.fromArray(S, x, xo + k).add(acc0);
    }
    float s = sumLanes(acc0, acc1);
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
      acc = FloatVector.fromArray(S, x, xo + k).max(acc);
    }
    float m =
        FloatVector.broadcast(S, Float.NEGATIVE_INFINITY).max(acc).reduceLanes(VectorOperators.MAX);
    for (; k < n; k++) {
      m = Math.max(m, x[xo + k]);
    }
    return m;
  }

  /**
   * The vector loop is {@link #exp(float)} lane by lane, written out here rather than called: a
   * helper that takes and returns a FloatVector is free only while C2 inlines it, and C2 stops
   * inlining a method whose own compiled body has grown large. The clamps are compare-and-blend,
   * not {@code min}/{@code max}, whose Java semantics (NaN, −0) cost C2 five instructions each;
   * Estrin's form needs three dependent FMAs where Horner's needs seven, so consecutive vectors
   * overlap.
   */
  @Override
  public float expShifted(float[] x, int xo, float shift, float[] out, int oo, int n) {
    int bound = S.loopBound(n);
    FloatVector acc = FloatVector.zero(S);
    int k = 0;
    for (; k < bound; k += L) {
      FloatVector v = FloatVector.fromArray(S, x, xo + k).sub(shift);
      VectorMask<Float> zero = v.lt(EXP_MIN);
      FloatVector xc = v.blend(EXP_MIN, zero);
      xc = xc.blend(EXP_MAX, xc.compare(VectorOperators.GT, EXP_MAX));
      FloatVector t = xc.fma(LOG2E, ROUNDER);
      FloatVector nf = t.sub(ROUNDER);
      FloatVector r = nf.fma(FloatVector.broadcast(S, -LN2_HI), xc);
      r = nf.fma(FloatVector.broadcast(S, -LN2_LO), r);
      FloatVector r2 = r.mul(r);
      FloatVector c01 = r.add(1f);
      FloatVector c23 = r.fma(1f / 6, 0.5f);
      FloatVector c45 = r.fma(1f / 120, 1f / 24);
      FloatVector c67 = r.fma(1f / 5040, 1f / 720);
      FloatVector low = c23.fma(r2, c01);
      FloatVector high = c67.fma(r2, c45);
      FloatVector poly = high.fma(r2.mul(r2), low);
      FloatVector twoN =
          t.reinterpretAsInts()
              .sub(ROUNDER_BITS - 127)
              .lanewise(VectorOperators.LSHL, 23)
              .reinterpretAsFloats();
      FloatVector e = poly.mul(twoN).blend(0f, zero);
      e.intoArray(out, oo + k);
      acc = e.add(acc);
    }
    float s = sumLanes(acc, FloatVector.zero(S));
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
  public int countAbove(float[] x, int from, int to, float threshold, boolean inclusive) {
    return inclusive ? countAtLeast(x, from, to, threshold) : countGreater(x, from, to, threshold);
  }

  // Two loops, each with its comparison written as a constant: C2 intrinsifies only constant
  // Vector API operators. A mask built by or-ing two comparisons measured 7x slower (0.6 against
  // 0.09 ns per element), and one loop taking the operator as a parameter from two constant call
  // sites was fast on JDK 17 but not on JDK 25 (eval 29.7 s against 17.3 s): it was not inlined.
  // Each loop adds 1 per lane through the mask into int lanes, summed at the end.

  private static int countGreater(float[] x, int from, int to, float threshold) {
    IntVector counts = IntVector.zero(Species.I);
    IntVector one = IntVector.broadcast(Species.I, 1);
    int k = from;
    int bound = from + S.loopBound(to - from);
    for (; k < bound; k += L) {
      VectorMask<Float> hit = FloatVector.fromArray(S, x, k).compare(VectorOperators.GT, threshold);
      counts = counts.add(one, hit.cast(Species.I));
    }
    int count = counts.reduceLanes(VectorOperators.ADD);
    for (; k < to; k++) {
      count += x[k] > threshold ? 1 : 0;
    }
    return count;
  }

  private static int countAtLeast(float[] x, int from, int to, float threshold) {
    IntVector counts = IntVector.zero(Species.I);
    IntVector one = IntVector.broadcast(Species.I, 1);
    int k = from;
    int bound = from + S.loopBound(to - from);
    for (; k < bound; k += L) {
      VectorMask<Float> hit = FloatVector.fromArray(S, x, k).compare(VectorOperators.GE, threshold);
      counts = counts.add(one, hit.cast(Species.I));
    }
    int count = counts.reduceLanes(VectorOperators.ADD);
    for (; k < to; k++) {
      count += x[k] >= threshold ? 1 : 0;
    }
    return count;
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
      int ldc,
      WorkerPool shareWith) {
    SimdGemm.gemm(
        transA, transB, m, n, k, alpha, a, ao, lda, b, bo, ldb, beta, c, co, ldc, shareWith);
  }
}
