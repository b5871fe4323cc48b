package org.sbcnm.engine.tensor;

/** Shape checks at public boundaries; every message names the op and the shapes involved. */
public final class Shapes {
  private Shapes() {}

  /** Throws {@code IllegalArgumentException("op: [a] x [b]")} unless {@code ok}. */
  public static void check(boolean ok, String op, Tensor a, Tensor b) {
    if (!ok) {
      throw new IllegalArgumentException(op + ": " + a.shape() + " x " + b.shape());
    }
  }

  /** Throws {@code IllegalArgumentException("op: [a] x [b] -> [out]")} unless {@code ok}. */
  public static void check(boolean ok, String op, Tensor a, Tensor b, Tensor out) {
    if (!ok) {
      throw new IllegalArgumentException(
          op + ": " + a.shape() + " x " + b.shape() + " -> " + out.shape());
    }
  }

  /** Throws unless both tensors have the same element type. */
  public static void sameType(String op, Tensor a, Tensor b) {
    if (a.dtype() != b.dtype()) {
      throw new IllegalArgumentException(op + ": mixed types " + a.dtype() + " and " + b.dtype());
    }
  }

  /** Throws unless {@code t} has exactly the given shape. */
  public static void require(String op, String what, Tensor t, int rows, int cols) {
    if (t.rows() != rows || t.cols() != cols) {
      throw new IllegalArgumentException(
          op + ": " + what + " is " + t.shape() + ", expected [" + rows + ", " + cols + "]");
    }
  }
}
