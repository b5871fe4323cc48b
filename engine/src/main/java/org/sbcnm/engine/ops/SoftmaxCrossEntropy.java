package org.sbcnm.engine.ops;

import org.sbcnm.engine.autograd.Node;
import org.sbcnm.engine.autograd.Op;
import org.sbcnm.engine.autograd.Tape;
import org.sbcnm.engine.kernel.Kernels;
import org.sbcnm.engine.tensor.BitMatrix;
import org.sbcnm.engine.tensor.DType;
import org.sbcnm.engine.tensor.Shapes;
import org.sbcnm.engine.tensor.Tensor;

/**
 * Fused softmax cross-entropy over a logits matrix, the batch-softmax loss of Yi et al. (RecSys
 * 2019), eq. (3) with the correction of eq. (4).
 *
 * <p>With logits z [B, N], an optional additive per-column term c [1, N] (pass {@code −log pⱼ} for
 * the logQ correction sᶜᵢⱼ = sᵢⱼ − log pⱼ), an optional mask M (Mᵢⱼ set = column j is left out of
 * row i's softmax, e.g. accidental hits), targets tᵢ (the diagonal when null) and optional row
 * weights wᵢ (rewards; 1 when null):
 *
 * <pre>
 *   aᵢⱼ = zᵢⱼ + cⱼ,   pᵢⱼ = exp(aᵢⱼ) / Σ_{k ∉ Mᵢ} exp(aᵢₖ)  (0 for j ∈ Mᵢ)
 *   L   = Σᵢ wᵢ (log Σ_{k ∉ Mᵢ} exp(aᵢₖ) − aᵢ,tᵢ) / Σᵢ wᵢ
 *   ∂L/∂zᵢⱼ = wᵢ (pᵢⱼ − [j = tᵢ]) / Σᵢ wᵢ
 * </pre>
 *
 * <p>Optional column counts nⱼ ≥ 1 let one column stand for nⱼ identical ones (the same logit and
 * term: an item that fills several columns of a batch), so that the logits need one column per
 * distinct item: pᵢⱼ ∝ nᵢⱼ·exp(aᵢⱼ), nᵢⱼ = nⱼ, except that with {@code targetCountsOnce} row i's
 * target column counts once (its other copies are accidental hits, left out). L and ∂L/∂z keep the
 * formulas above with these pᵢⱼ and are those of the expanded logits, each column's gradient the
 * sum over its copies.
 *
 * <p>With unit weights L is the mean cross-entropy over rows, as {@code
 * torch.nn.functional.cross_entropy}. The softmax is kept in a reused scratch buffer for the
 * backward pass. Rows are split over the kernel threads ({@link Kernels#parallelFor}); the loss is
 * summed in row order afterwards, so the result does not depend on the thread count.
 */
public final class SoftmaxCrossEntropy implements Op {
  static final SoftmaxCrossEntropy INSTANCE = new SoftmaxCrossEntropy();

  private SoftmaxCrossEntropy() {}

  /** What backward needs besides the probabilities: targets, row weights and their sum. */
  private static final class Saved {
    int[] targets;
    Tensor rowWeights;
    double weightSum;
  }

  /**
   * The loss as a [1, 1] node.
   *
   * @param logits z [B, N]
   * @param targets target column of each row (length ≥ B, values in [0, N)), or null for tᵢ = i
   * @param rowWeights wᵢ as a [B, 1] tensor of any type, or null; not modified, referenced until
   *     backward
   * @param columnTerm cⱼ as a [1, N] tensor of the logits' type, or null
   * @param mask [B, N] columns left out per row, or null; a row's target must not be masked
   */
  public static Node apply(
      Tape tape, Node logits, int[] targets, Tensor rowWeights, Tensor columnTerm, BitMatrix mask) {
    return apply(tape, logits, targets, rowWeights, columnTerm, mask, null, false);
  }

  /**
   * The loss as a [1, 1] node, some columns standing for several identical ones (see the class
   * comment).
   *
   * @param columnCounts nⱼ as a [1, N] tensor of any type, each finite and ≥ 1, or null for 1; not
   *     modified
   * @param targetCountsOnce whether row i's target column counts once whatever its nⱼ
   */
  public static Node apply(
      Tape tape,
      Node logits,
      int[] targets,
      Tensor rowWeights,
      Tensor columnTerm,
      BitMatrix mask,
      Tensor columnCounts,
      boolean targetCountsOnce) {
    Tensor z = logits.value();
    int b = z.rows();
    int n = z.cols();
    if (targets == null && n < b) {
      throw new IllegalArgumentException(
          "softmaxCrossEntropy: diagonal targets need cols >= rows, got " + z.shape());
    }
    if (targets != null && targets.length < b) {
      throw new IllegalArgumentException(
          "softmaxCrossEntropy: " + targets.length + " targets for " + b + " rows");
    }
    if (rowWeights != null) {
      Shapes.require("softmaxCrossEntropy", "row weights", rowWeights, b, 1);
    }
    if (columnTerm != null) {
      Shapes.require("softmaxCrossEntropy", "column term", columnTerm, 1, n);
      Shapes.sameType("softmaxCrossEntropy", z, columnTerm);
    }
    if (mask != null && (mask.rows() != b || mask.cols() != n)) {
      throw new IllegalArgumentException(
          "softmaxCrossEntropy: mask ["
              + mask.rows()
              + ", "
              + mask.cols()
              + "] for logits "
              + z.shape());
    }
    if (columnCounts != null) {
      Shapes.require("softmaxCrossEntropy", "column counts", columnCounts, 1, n);
      requireCounts(columnCounts);
    }
    // Every loop of this method lives in a small method of its own: apply runs once per step, and
    // a loop inside it would have C2 compile apply on the stack (OSR) with the whole parallel row
    // task inlined, several times over while the profile settles (about 2 s of compiler time in
    // the first seconds of training, with the two training threads waiting for a core).
    double weightSum = rowWeightSum(targets, rowWeights, mask, b, n);
    Node y = tape.newNode(INSTANCE, z.dtype(), 1, 1);
    y.addParent(logits);
    Saved saved = y.save(Saved.class, Saved::new);
    saved.targets = targets;
    saved.rowWeights = rowWeights;
    saved.weightSum = weightSum;
    Tensor probs = y.scratch(0, z.dtype(), b, n);
    Tensor rowLse = y.scratch(1, DType.FLOAT64, b, 1);
    // The softmax's column term: cⱼ + log nⱼ, so that each column counts nⱼ times.
    Tensor softmaxTerm = columnTerm;
    if (columnCounts != null) {
      softmaxTerm = y.scratch(2, z.dtype(), 1, n);
      countedColumnTerm(columnTerm, columnCounts, softmaxTerm);
    }
    RowTask task = RowTask.LOCAL.get();
    task.forward(
        z,
        softmaxTerm,
        mask,
        probs,
        rowLse,
        columnCounts != null && targetCountsOnce,
        targets,
        columnTerm);
    y.value().setFlat(0, weightedLoss(z, targets, rowWeights, columnTerm, rowLse) / weightSum);
    return y;
  }

  private static void requireCounts(Tensor columnCounts) {
    for (int j = 0; j < columnCounts.cols(); j++) {
      double count = columnCounts.getFlat(j);
      if (!(count >= 1) || Double.isInfinite(count)) {
        throw new IllegalArgumentException(
            "softmaxCrossEntropy: column " + j + " count " + count + " is not finite and >= 1");
      }
    }
  }

  /** Checks every row's target, mask and weight; returns Σ wᵢ. */
  private static double rowWeightSum(
      int[] targets, Tensor rowWeights, BitMatrix mask, int rows, int cols) {
    double weightSum = 0;
    for (int i = 0; i < rows; i++) {
      int t = targets == null ? i : targets[i];
      if (t < 0 || t >= cols) {
        throw new IllegalArgumentException(
            "softmaxCrossEntropy: row " + i + " target " + t + " outside [0, " + cols + ")");
      }
      if (mask != null && mask.get(i, t)) {
        throw new IllegalArgumentException(
            "softmaxCrossEntropy: row " + i + " masks its own target " + t);
      }
      double w = rowWeights == null ? 1.0 : rowWeights.getFlat(i);
      if (!(w >= 0) || Double.isInfinite(w)) {
        throw new IllegalArgumentException(
            "softmaxCrossEntropy: row " + i + " weight " + w + " is not finite and >= 0");
      }
      weightSum += w;
    }
    if (!(weightSum > 0)) {
      throw new IllegalArgumentException("softmaxCrossEntropy: row weights sum to " + weightSum);
    }
    return weightSum;
  }

  /** out[j] = c[j] + log n[j] (c = 0 when null). */
  private static void countedColumnTerm(Tensor c, Tensor counts, Tensor out) {
    for (int j = 0; j < out.cols(); j++) {
      out.setFlat(j, (c == null ? 0 : c.getFlat(j)) + Math.log(counts.getFlat(j)));
    }
  }

  /**
   * Σᵢ wᵢ·(lseᵢ − zᵢₜ − c_t), summed in row order after the parallel part, so that it does not
   * depend on threads.
   */
  private static double weightedLoss(
      Tensor z, int[] targets, Tensor rowWeights, Tensor columnTerm, Tensor rowLse) {
    double loss = 0;
    for (int i = 0; i < z.rows(); i++) {
      int t = targets == null ? i : targets[i];
      double w = rowWeights == null ? 1.0 : rowWeights.getFlat(i);
      double target = z.get(i, t) + (columnTerm == null ? 0 : columnTerm.getFlat(t));
      loss += w * (rowLse.getFlat(i) - target);
    }
    return loss;
  }

  /**
   * Writes softmax of row i (masked entries 0) into probs; returns the row's log-sum-exp. With
   * {@code targetOnce} the target column t takes zᵢₜ + targetTerm[t] in place of the column term c.
   */
  private static double softmaxRow(
      Tensor z,
      Tensor c,
      BitMatrix mask,
      int i,
      Tensor probs,
      boolean targetOnce,
      int t,
      Tensor targetTerm) {
    int n = z.cols();
    int zo = z.offset() + i * n;
    int po = probs.offset() + i * n;
    if (z.isFloat32()) {
      float[] p = probs.floats();
      if (c == null) {
        System.arraycopy(z.floats(), zo, p, po, n);
      } else {
        Kernels.add(z.floats(), zo, c.floats(), c.offset(), p, po, n);
      }
      if (targetOnce) {
        p[po + t] = z.floats()[zo + t] + (targetTerm == null ? 0f : (float) targetTerm.getFlat(t));
      }
      if (mask != null && !mask.rowIsEmpty(i)) {
        for (int j = 0; j < n; j++) {
          if (mask.get(i, j)) {
            p[po + j] = Float.NEGATIVE_INFINITY;
          }
        }
      }
      float mx = Kernels.max(p, po, n);
      float s = Kernels.expShifted(p, po, mx, p, po, n);
      Kernels.scale(1f / s, p, po, p, po, n);
      return mx + Math.log(s);
    }
    double[] zd = z.doubles();
    double[] p = probs.doubles();
    double mx = Double.NEGATIVE_INFINITY;
    for (int j = 0; j < n; j++) {
      boolean masked = mask != null && mask.get(i, j);
      Tensor term = targetOnce && j == t ? targetTerm : c;
      double a =
          masked ? Double.NEGATIVE_INFINITY : zd[zo + j] + (term == null ? 0 : term.getFlat(j));
      p[po + j] = a;
      mx = Math.max(mx, a);
    }
    double s = 0;
    for (int j = 0; j < n; j++) {
      p[po + j] = Math.exp(p[po + j] - mx);
      s += p[po + j];
    }
    for (int j = 0; j < n; j++) {
      p[po + j] /= s;
    }
    return mx + Math.log(s);
  }

  @Override
  public String name() {
    return "softmaxCrossEntropy";
  }

  @Override
  public void backward(Node y) {
    Node logits = y.parent(0);
    if (!logits.requiresGrad()) {
      return;
    }
    Tensor z = logits.value();
    int b = z.rows();
    int n = z.cols();
    Saved saved = y.saved(Saved.class);
    int[] targets = saved.targets;
    Tensor rowWeights = saved.rowWeights;
    Tensor probs = y.scratch(0, z.dtype(), b, n);
    double beta = logits.gradBeta();
    Tensor dz = logits.gradForWrite();
    double g = y.grad().getFlat(0) / saved.weightSum;
    RowTask.LOCAL.get().backward(probs, targets, rowWeights, g, beta, dz);
  }

  /**
   * The per-row work of forward and backward, split over the kernel threads by rows; one reusable
   * instance per calling thread, so a step allocates nothing.
   */
  private static final class RowTask implements Kernels.ChunkBody {
    static final ThreadLocal<RowTask> LOCAL = ThreadLocal.withInitial(RowTask::new);

    /** Rows per chunk: enough work per claim to pay for it, enough chunks to balance. */
    private static final int ROWS_PER_CHUNK = 64;

    private boolean backward;
    private Tensor z;
    private Tensor columnTerm;
    private BitMatrix mask;
    private Tensor probs;
    private Tensor rowLse;
    private int[] targets;
    private Tensor rowWeights;
    private double scale;
    private double beta;
    private Tensor dz;
    private boolean targetOnce;
    private Tensor targetTerm;

    void forward(
        Tensor z,
        Tensor columnTerm,
        BitMatrix mask,
        Tensor probs,
        Tensor rowLse,
        boolean targetOnce,
        int[] targets,
        Tensor targetTerm) {
      this.backward = false;
      this.z = z;
      this.columnTerm = columnTerm;
      this.mask = mask;
      this.probs = probs;
      this.rowLse = rowLse;
      this.targetOnce = targetOnce;
      this.targets = targets;
      this.targetTerm = targetTerm;
      run(z.rows());
    }

    void backward(
        Tensor probs, int[] targets, Tensor rowWeights, double scale, double beta, Tensor dz) {
      this.backward = true;
      this.probs = probs;
      this.targets = targets;
      this.rowWeights = rowWeights;
      this.scale = scale;
      this.beta = beta;
      this.dz = dz;
      run(probs.rows());
    }

    private void run(int rows) {
      try {
        Kernels.parallelFor((rows + ROWS_PER_CHUNK - 1) / ROWS_PER_CHUNK, this);
      } finally {
        z = null;
        columnTerm = null;
        mask = null;
        probs = null;
        rowLse = null;
        targets = null;
        rowWeights = null;
        dz = null;
        targetTerm = null;
      }
    }

    @Override
    public void runChunk(int chunk) {
      int rows = probs.rows();
      int to = Math.min(rows, (chunk + 1) * ROWS_PER_CHUNK);
      for (int i = chunk * ROWS_PER_CHUNK; i < to; i++) {
        if (backward) {
          backwardRow(i);
        } else {
          int t = targets == null ? i : targets[i];
          rowLse.setFlat(i, softmaxRow(z, columnTerm, mask, i, probs, targetOnce, t, targetTerm));
        }
      }
    }

    /** dz_i = β·dz_i + s_i·(p_i − onehot(t_i)), s_i = scale·w_i. */
    private void backwardRow(int i) {
      int n = probs.cols();
      double s = scale * (rowWeights == null ? 1.0 : rowWeights.getFlat(i));
      int t = targets == null ? i : targets[i];
      int po = probs.offset() + i * n;
      int dof = dz.offset() + i * n;
      if (probs.isFloat32()) {
        if (beta == 0) {
          Kernels.scale((float) s, probs.floats(), po, dz.floats(), dof, n);
        } else {
          Kernels.axpy((float) s, probs.floats(), po, dz.floats(), dof, n);
        }
        dz.floats()[dof + t] -= (float) s;
      } else {
        double[] p = probs.doubles();
        double[] d = dz.doubles();
        for (int j = 0; j < n; j++) {
          d[dof + j] = (beta == 0 ? 0 : d[dof + j]) + s * p[po + j];
        }
        d[dof + t] -= s;
      }
    }
  }
}
