package org.sbcnm.engine.param;

/** Deterministic bit mixing for seeded hashes and counter-based draws. */
public final class Seeds {
  private Seeds() {}

  /**
   * SplitMix64's finaliser (Steele, Lea &amp; Flood 2014): a bijective 64-bit mix with full
   * avalanche.
   */
  public static long mix64(long z) {
    z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
    z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
    return z ^ (z >>> 31);
  }
}
