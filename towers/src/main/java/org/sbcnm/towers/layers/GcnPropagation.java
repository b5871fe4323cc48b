package org.sbcnm.towers.layers;

import java.util.List;
import org.sbcnm.engine.autograd.Node;
import org.sbcnm.engine.autograd.Tape;
import org.sbcnm.engine.ops.SparseDense;
import org.sbcnm.engine.param.Parameter;
import org.sbcnm.engine.sparse.CsrMatrix;

/**
 * Parameter-free graph propagation (LightGCN-style, He et al. SIGIR 2020, with the GCN
 * normalisation of Kipf &amp; Welling 2017): {@code H = Ŝᵏ·X}, Ŝ = D^-1/2 (A + I) D^-1/2 over the
 * item graph, X [items, d], for k = {@code hops}. Backward: dX = (Ŝᵀ)ᵏ·dH.
 */
public final class GcnPropagation implements Layer {
  private final CsrMatrix normalized;
  private final int hops;

  /**
   * @param adjacency the item graph A [items, items], symmetric, without self-loops
   */
  public GcnPropagation(CsrMatrix adjacency, int hops) {
    if (hops < 1) {
      throw new IllegalArgumentException("gcn_layers must be >= 1, got " + hops);
    }
    this.normalized = adjacency.symmetricNormalizedWithSelfLoops();
    this.hops = hops;
  }

  public Node forward(Tape t, Node x) {
    if (x.rows() != normalized.cols()) {
      throw new IllegalArgumentException(
          "gcn: graph of " + normalized.rows() + " items, features for " + x.rows());
    }
    for (int h = 0; h < hops; h++) {
      x = SparseDense.multiply(t, normalized, x);
    }
    return x;
  }

  public CsrMatrix normalized() {
    return normalized;
  }

  public int hops() {
    return hops;
  }

  @Override
  public List<Parameter> parameters() {
    return List.of();
  }
}
