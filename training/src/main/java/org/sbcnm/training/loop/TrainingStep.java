package org.sbcnm.training.loop;

import org.sbcnm.datasets.batch.BatchAssembler;
import org.sbcnm.datasets.batch.ColumnProbabilities;
import org.sbcnm.datasets.batch.TrainingBatch;
import org.sbcnm.engine.autograd.Node;
import org.sbcnm.engine.autograd.Tape;
import org.sbcnm.engine.optim.Optimizer;
import org.sbcnm.engine.tensor.Tensor;
import org.sbcnm.towers.tower.TowerBatch;
import org.sbcnm.towers.tower.TwoTowerModel;
import org.sbcnm.training.loss.BatchSoftmaxLoss;
import org.sbcnm.training.loss.CrossBatchMemory;
import org.sbcnm.training.loss.DistinctColumns;

/**
 * One training step, its parts built once and reused from step to step (the steady state allocates
 * nothing): the batch is assembled ({@link BatchAssembler}: queries, item columns, their log q with
 * the mixed negatives, row weights), the towers run (side by side on two threads, or one after the
 * other), the corrected batch softmax is taken over the batch's distinct items (or over every
 * column, or, with the full softmax, over the whole catalogue; with cross-batch negatives, also
 * over the stored positives of recent steps), the gradients flow back, and the optimiser updates
 * the parameters.
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
  private final int[] catalogue;
  private final CrossBatchMemory memory;
  private final ColumnProbabilities probabilities;
  private float[] memoryLogQ = new float[0];
  private final boolean useRatings;
  private final TowerBatch qb = new TowerBatch();
  private final TowerBatch ib = new TowerBatch();
  private final Tape tape = new Tape();
  private StepProfile profile = new StepProfile();
  private int examples;

  /**
   * @param towers the towers side by side, or null to run them one after the other
   * @param distinct the distinct-item grouping, or null to compute every column
   * @param catalogue every item index in order for the full softmax, or null for the batch softmax
   * @param memory the cross-batch negatives, or null for none (then also no distinct columns)
   * @param probabilities the log q of the memory's items, or null for no correction
   */
  TrainingStep(
      TwoTowerModel model,
      Optimizer optimizer,
      BatchAssembler batches,
      ConcurrentTowers towers,
      BatchSoftmaxLoss lossFn,
      DistinctColumns distinct,
      int[] catalogue,
      CrossBatchMemory memory,
      ColumnProbabilities probabilities,
      boolean useRatings) {
    if (distinct != null && (catalogue != null || memory != null)) {
      throw new IllegalArgumentException(
          "the full softmax and cross-batch negatives have no distinct columns");
    }
    this.model = model;
    this.optimizer = optimizer;
    this.batches = batches;
    this.towers = towers;
    this.lossFn = lossFn;
    this.distinct = distinct;
    this.catalogue = catalogue;
    this.memory = memory;
    this.probabilities = probabilities;
    this.useRatings = useRatings;
  }

  /** Records each phase's time into {@code p} (null: no record kept). */
  void profile(StepProfile p) {
    this.profile = p != null ? p : new StepProfile();
  }

  /** The examples of the last step (B, or fewer for an epoch's last batch). */
  int examples() {
    return examples;
  }

  /**
   * Sets the item tower's batch: the catalogue, the batch's distinct columns, or every column.
   *
   * @return the item columns the tower computes
   */
  private int itemColumns(TrainingBatch batch) {
    if (catalogue != null) {
      ib.set(catalogue, 0, catalogue.length);
    } else if (distinct != null) {
      distinct.build(batch.columns(), batch.logQ(), batch.columnCount());
      ib.set(distinct.items(), 0, distinct.size());
    } else {
      ib.set(batch.columns(), 0, batch.columnCount());
    }
    return ib.size();
  }

  /** The loss this step's negatives call for: catalogue, memory, distinct or every column. */
  private Node loss(Tape t, Node q, Node v, int[] columns, float[] lq, Tensor rowWeights) {
    if (catalogue != null) {
      return lossFn.applyCatalogue(t, q, v, columns, rowWeights);
    }
    if (memory != null) {
      return lossFn.applyWithMemory(
          t, q, v, columns, lq, memory, memoryLogQ(lq != null), rowWeights);
    }
    if (distinct != null) {
      return lossFn.applyDistinct(t, q, v, distinct, rowWeights);
    }
    return lossFn.apply(t, q, v, columns, lq, rowWeights);
  }

  /** log q of each stored item under the current estimate, or null without correction. */
  private float[] memoryLogQ(boolean corrected) {
    if (!corrected || probabilities == null) {
      return null;
    }
    int n = memory.size();
    if (memoryLogQ.length < memory.capacity()) {
      memoryLogQ = new float[memory.capacity()];
    }
    int[] items = memory.items();
    for (int k = 0; k < n; k++) {
      memoryLogQ[k] = (float) probabilities.logProbability(items[k]);
    }
    return memoryLogQ;
  }

  /**
   * Trains on the examples {@code perm[from, from + B)} as step {@code globalStep}.
   *
   * @return the batch's loss, before the update
   */
  double run(int[] perm, int from, long globalStep) {
    profile.startStep(System.nanoTime());
    TrainingBatch batch = batches.assemble(perm, from, globalStep);
    int m = batch.rows();
    examples = m;
    qb.set(batch.users(), 0, m);
    if (batch.hasBags()) {
      qb.setBags(batch.bagOffsets(), batch.bagItems());
    }
    int[] columns = batch.columns();
    float[] lq = batch.logQ();
    int computed = itemColumns(batch);
    profile.endPhase(StepProfile.BATCH_ASSEMBLY, System.nanoTime());
    double loss;
    try (Tape t = tape.begin()) {
      Node q;
      Node v;
      if (towers != null) {
        towers.forward(qb, ib);
        q = t.input(towers.queryOutput().value());
        v = t.input(towers.itemOutput().value());
        profile.endTowersSideBySide(System.nanoTime(), towers.queryNanos(), towers.itemNanos());
      } else {
        q = model.query().embed(t, qb);
        profile.endPhase(StepProfile.QUERY_TOWER, System.nanoTime());
        v = model.item().embed(t, ib);
        profile.endPhase(StepProfile.ITEM_TOWER, System.nanoTime());
      }
      Tensor rowWeights = useRatings ? batch.weights() : null;
      Node l = loss(t, q, v, columns, lq, rowWeights);
      loss = l.value().getFlat(0);
      profile.endPhase(StepProfile.SCORES_LOSS, System.nanoTime());
      t.backward(l);
      if (towers != null) {
        towers.backward(q.grad(), v.grad());
      }
      if (memory != null) {
        // This step's positives become negatives of the steps to come.
        memory.push(v.value(), columns, m);
      }
    } finally {
      if (towers != null) {
        towers.close();
      }
    }
    profile.endPhase(StepProfile.BACKWARD, System.nanoTime());
    optimizer.step();
    optimizer.zeroGrad();
    profile.endPhase(StepProfile.OPTIMIZER, System.nanoTime());
    profile.endStep(m, batch.columnCount(), computed);
    return loss;
  }
}
