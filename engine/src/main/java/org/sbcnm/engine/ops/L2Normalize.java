package org.sbcnm.engine.ops;

import org.sbcnm.engine.autograd.Node;
import org.sbcnm.engine.autograd.Op;
import org.sbcnm.engine.autograd.Tape;
import org.sbcnm.engine.kernel.Kernels;
import org.sbcnm.engine.kernel.MatrixOps;
import org.sbcnm.engine.tensor.Tensor;

/**
 * Row L2 normalisation {@code yᵢ = xᵢ / max(‖xᵢ‖, ε)} (torch's {@code F.normalize}, ε = 1e-12).
 *
 * <p>Backward, for ‖xᵢ‖ &gt; ε: dxᵢ += (gᵢ − yᵢ·⟨gᵢ, yᵢ⟩) / ‖xᵢ‖, the projection of g onto the
 * tangent of the unit sphere; for ‖xᵢ‖ ≤ ε the op is a constant scale, dxᵢ += gᵢ / ε.
 */
public final class L2Normalize implements Op {
  static final L2Normalize INSTANCE = new L2Normalize();

  /** torch's default epsilon. */
  public static final double EPS = 1e-12;

  private L2Normalize() {}

  /** What backward needs besides the norms: the ε of max(‖x‖, ε). */
  private static final class Saved {
    double eps;
  }

  public static Node rows(Tape tape, Node x) {
    return rows(tape, x, EPS);
  }

  public static Node rows(Tape tape, Node x, double eps) {
    Node y = tape.newNode(INSTANCE, x.dtype(), x.rows(), x.cols());
    y.addParent(x);
    y.save(Saved.class, Saved::new).eps = eps;
    Tensor norms = y.scratch(0, x.dtype(), x.rows(), 1);
    MatrixOps.rowL2Normalize(x.value(), y.value(), norms, eps);
    return y;
  }

  @Override
  public String name() {
    return "l2normalize";
  }

  @Override
  public void backward(Node y) {
    Node x = y.parent(0);
    if (!x.requiresGrad()) {
      return;
    }
    Tensor g = y.grad();
    Tensor yv = y.value();
    boolean accumulate = x.gradBeta() != 0;
    Tensor dx = x.gradForWrite();
    Tensor norms = y.scratch(0, x.dtype(), x.rows(), 1);
    double eps = y.saved(Saved.class).eps;
    int d = yv.cols();
    for (int i = 0; i < yv.rows(); i++) {
      double norm = norms.getFlat(i);
      int go = g.offset() + i * d;
      int yo = yv.offset() + i * d;
      int xo = dx.offset() + i * d;
      if (yv.isFloat32()) {
        float inv = (float) (1.0 / (norm > eps ? norm : eps));
        if (accumulate) {
          Kernels.axpy(inv, g.floats(), go, dx.floats(), xo, d);
        } else {
          Kernels.scale(inv, g.floats(), go, dx.floats(), xo, d);
        }
        if (norm > eps) {
          float proj = Kernels.dot(g.floats(), go, yv.floats(), yo, d);
          Kernels.axpy((float) (-proj / norm), yv.floats(), yo, dx.floats(), xo, d);
        }
      } else {
        double[] gd = g.doubles();
        double[] yd = yv.doubles();
        double[] out = dx.doubles();
        if (norm > eps) {
          double proj = 0;
          for (int j = 0; j < d; j++) {
            proj += gd[go + j] * yd[yo + j];
          }
          for (int j = 0; j < d; j++) {
            out[xo + j] = (accumulate ? out[xo + j] : 0) + (gd[go + j] - yd[yo + j] * proj) / norm;
          }
        } else {
          for (int j = 0; j < d; j++) {
            out[xo + j] = (accumulate ? out[xo + j] : 0) + gd[go + j] / eps;
          }
        }
      }
    }
  }
}
