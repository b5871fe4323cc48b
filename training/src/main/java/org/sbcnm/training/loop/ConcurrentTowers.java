package org.sbcnm.training.loop;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;
import org.sbcnm.engine.autograd.Node;
import org.sbcnm.engine.autograd.Tape;
import org.sbcnm.engine.kernel.Kernels;
import org.sbcnm.engine.param.Parameter;
import org.sbcnm.engine.tensor.Tensor;
import org.sbcnm.towers.tower.Tower;
import org.sbcnm.towers.tower.TowerBatch;
import org.sbcnm.towers.tower.TwoTowerModel;

/**
 * Runs a step's query tower and item tower side by side, one per kernel thread, forward and then
 * backward, each recorded on its own tape.
 *
 * <p>Why: split across two threads, every GEMM of a tower pays for a hand-off, for packing its
 * shared operand twice and for the slower thread at its end, while the two towers are independent
 * until the score matrix. Run whole, one tower per thread, each GEMM runs on one thread with no
 * hand-off (measured on the 64→256→128→64 pair at batch 1024: median 9.3 against 10.2 ms per pair).
 * The score matrix, the softmax and their gradients still split across both threads. The towers
 * rarely finish together (the host slows one core or the other), so the thread that finishes first
 * helps with the other tower's remaining GEMMs and row-parallel ops, block by block ({@code
 * WorkerPool.runShared}): a paired in-run A/B put the two tower regions 0.2–0.5 ms per step faster
 * than without that help.
 *
 * <p>The towers' outputs enter the loss tape as leaves; the gradient the loss tape leaves in them
 * is fed back to each tower's tape by {@link Tape#backward(Node, Tensor)}. Every op computes the
 * same values on whichever thread runs it, so the model is the same bit for bit as with one thread.
 * Only for towers with no parameter in common: a history tower that pools the item tower's ID table
 * would have both threads add into one gradient.
 */
final class ConcurrentTowers implements Kernels.ChunkBody {
  private static final int QUERY = 0;
  private static final int ITEM = 1;

  /** Per tower, indexed by {@link #QUERY} and {@link #ITEM} (the chunk numbers). */
  private final Tower[] towers;

  private final Tape[] tapes = {new Tape(), new Tape()};
  private final TowerBatch[] batches = new TowerBatch[2];
  private final Node[] outputs = new Node[2];
  private final Tensor[] outputGrads = new Tensor[2];
  private final long[] nanos = new long[2];
  private boolean backward;

  ConcurrentTowers(TwoTowerModel model) {
    this.towers = new Tower[] {model.query(), model.item()};
  }

  /** True when the towers can run side by side: two kernel threads or more, no shared parameter. */
  static boolean applicable(TwoTowerModel model, int threads) {
    if (threads < 2) {
      return false;
    }
    Set<Parameter> query = Collections.newSetFromMap(new IdentityHashMap<>());
    query.addAll(model.query().parametersUsed());
    for (Parameter p : model.item().parametersUsed()) {
      if (query.contains(p)) {
        return false;
      }
    }
    return true;
  }

  /** Opens both towers' tapes and runs their forward passes; {@link #close()} ends the step. */
  void forward(TowerBatch query, TowerBatch item) {
    for (Tape t : tapes) {
      t.begin();
    }
    batches[QUERY] = query;
    batches[ITEM] = item;
    backward = false;
    run();
  }

  /** The query tower's output [batch, d] of the current step. */
  Node queryOutput() {
    return outputs[QUERY];
  }

  /** The item tower's output [columns, d] of the current step. */
  Node itemOutput() {
    return outputs[ITEM];
  }

  /** Back-propagates the loss gradients of both outputs through their towers, side by side. */
  void backward(Tensor dQuery, Tensor dItem) {
    outputGrads[QUERY] = dQuery;
    outputGrads[ITEM] = dItem;
    backward = true;
    try {
      run();
    } finally {
      outputGrads[QUERY] = null;
      outputGrads[ITEM] = null;
    }
  }

  /** Thread time of the query tower in the last forward or backward call, in nanoseconds. */
  long queryNanos() {
    return nanos[QUERY];
  }

  /** Thread time of the item tower in the last forward or backward call, in nanoseconds. */
  long itemNanos() {
    return nanos[ITEM];
  }

  /** Closes both tapes (closing is idempotent); safe to call when forward failed part-way. */
  void close() {
    for (Tape t : tapes) {
      t.close();
    }
    batches[QUERY] = null;
    batches[ITEM] = null;
  }

  private void run() {
    nanos[QUERY] = 0;
    nanos[ITEM] = 0;
    Kernels.parallelFor(2, this);
  }

  @Override
  public void runChunk(int tower) {
    long start = System.nanoTime();
    if (!backward) {
      outputs[tower] = towers[tower].embed(tapes[tower], batches[tower]);
    } else if (outputGrads[tower] != null) {
      tapes[tower].backward(outputs[tower], outputGrads[tower]);
    }
    nanos[tower] = System.nanoTime() - start;
  }
}
