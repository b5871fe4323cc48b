package org.sbcnm.training.loop;

import org.sbcnm.engine.autograd.Node;
import org.sbcnm.engine.autograd.Tape;
import org.sbcnm.engine.optim.Optimizer;
import org.sbcnm.engine.tensor.Tensor;
import org.sbcnm.towers.tower.TowerBatch;
import org.sbcnm.towers.tower.TwoTowerModel;
import org.sbcnm.training.loss.BatchSoftmaxLoss;
import org.sbcnm.training.loss.DistinctColumns;

/**
 * One training step, its parts built once and reused from step to step (the steady state allocates
 * nothing): the batch is assembled ({@link BatchAssembler}: queries, item columns, their log q with
 * the mixed negatives, row weights), the towers run (side by side on two threads, or one after the
 * other), the corrected batch softmax is taken over the batch's distinct items (or over every
 * column), the gradients flow back, and the optimiser updates the parameters.
 *
 * <pre>
 *   u = query(batch) [B, d], v = item(columns) [B + B′, d]
 *   loss = mean over rows i of −log softmax(⟨uᵢ, vⱼ⟩/τ − log qⱼ)ᵢ   (Yi et al., RecSys 2019)
 * </pre>
 */
final class TrainingStep {
  private final TwoTowerModel model;
  private final Optimizer optimizer;
  private final BatchAssembler batches;
  private final ConcurrentTowers towers;
  private final BatchSoftmaxLoss lossFn;
  private final DistinctColumns distinct;
  private final boolean useRatings;
  private final int extra;
  private final TowerBatch qb = new TowerBatch();
  private final TowerBatch ib = new TowerBatch();
  private final Tape tape = new Tape();
  private StepProfile profile;
  private int examples;

  /**
   * @param towers the towers side by side, or null to run them one after the other
   * @param distinct the distinct-item grouping, or null to compute every column
   * @param extra B′, the mixed negatives per step
   */
  TrainingStep(
      TwoTowerModel model,
      Optimizer optimizer,
      BatchAssembler batches,
      ConcurrentTowers towers,
      BatchSoftmaxLoss lossFn,
      DistinctColumns distinct,
      boolean useRatings,
      int extra) {
    this.model = model;
    this.optimizer = optimizer;
    this.batches = batches;
    this.towers = towers;
    this.lossFn = lossFn;
    this.distinct = distinct;
    this.useRatings = useRatings;
    this.extra = extra;
  }

  /** Records each phase's time into {@code p} (null: no timing). */
  void profile(StepProfile p) {
    this.profile = p;
  }

  /** The examples of the last step (B, or fewer for an epoch's last batch). */
  int examples() {
    return examples;
  }

  /**
   * Trains on the examples {@code perm[from, from + B)} as step {@code globalStep}.
   *
   * @return the batch's loss, before the update
   */
  double run(int[] perm, int from, long globalStep) {
    long t0 = System.nanoTime();
    if (profile != null && profile.firstStepAt == 0) {
      profile.firstStepAt = t0;
    }
    int m = batches.assemble(perm, from, globalStep, qb);
    examples = m;
    int[] columns = batches.columns();
    float[] lq = batches.logQ();
    if (distinct != null) {
      distinct.build(columns, lq, m + extra);
      ib.set(distinct.items(), 0, distinct.size());
    } else {
      ib.set(columns, 0, m + extra);
    }
    double loss;
    long t1;
    long t2;
    long t3;
    long t4;
    try (Tape t = tape.begin()) {
      t1 = System.nanoTime();
      Node q;
      Node v;
      if (towers != null) {
        towers.forward(qb, ib);
        q = t.input(towers.queryOutput().value());
        v = t.input(towers.itemOutput().value());
        // The towers ran side by side: their wall time is shared in proportion to each one's own
        // thread time, so the phase split still sums to the step.
        t3 = System.nanoTime();
        long qn = towers.queryNanos();
        long in = towers.itemNanos();
        t2 = t1 + (qn + in == 0 ? 0 : (long) ((double) (t3 - t1) * qn / (qn + in)));
      } else {
        q = model.query().embed(t, qb);
        t2 = System.nanoTime();
        v = model.item().embed(t, ib);
        t3 = System.nanoTime();
      }
      Tensor rowWeights = useRatings ? batches.weights() : null;
      Node l =
          distinct != null
              ? lossFn.applyDistinct(t, q, v, distinct, rowWeights)
              : lossFn.apply(t, q, v, columns, lq, rowWeights);
      loss = l.value().getFlat(0);
      t4 = System.nanoTime();
      t.backward(l);
      if (towers != null) {
        towers.backward(q.grad(), v.grad());
      }
    } finally {
      if (towers != null) {
        towers.close();
      }
    }
    long t5 = System.nanoTime();
    optimizer.step();
    optimizer.zeroGrad();
    if (profile != null) {
      long t6 = System.nanoTime();
      long[] p = profile.nanos;
      p[0] += t1 - t0;
      p[1] += t2 - t1;
      p[2] += t3 - t2;
      p[3] += t4 - t3;
      p[4] += t5 - t4;
      p[5] += t6 - t5;
      profile.steps++;
      profile.examples += m;
      profile.itemColumns += m + extra;
      profile.itemRows += distinct != null ? distinct.size() : m + extra;
    }
    return loss;
  }
}
