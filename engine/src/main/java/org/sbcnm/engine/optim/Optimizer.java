package org.sbcnm.engine.optim;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.sbcnm.engine.kernel.Kernels;
import org.sbcnm.engine.param.Parameter;
import org.sbcnm.engine.tensor.Tensor;

/**
 * A first-order optimiser over float32 parameters.
 *
 * <p>Lifecycle: {@link #init} once with the parameters (allocates the state), then per batch {@link
 * #step()} (applies the accumulated gradients) and {@link #zeroGrad()}; {@link #reset()} forgets
 * the state. {@code step} before {@code init} is an error. By default every element of every
 * parameter is updated each step, as {@code torch.optim} does for a dense gradient: an embedding
 * row outside the batch has gradient 0 and still moves with its momentum (and its weight decay).
 * With {@link #lazyRows(boolean) lazy rows}, parameters whose gradient is sparse by row ({@link
 * Parameter#hasSparseGrad()}) get only their touched rows updated (TensorFlow's LazyAdam and sparse
 * Adagrad), which costs O(rows touched) instead of O(table) per step. The state (slot tensors and
 * the step count) can be saved and restored with {@link #state()} and {@link #loadState}.
 */
public abstract class Optimizer {
  /**
   * Below this many elements to update, a step stays on the calling thread: a hand-off costs more
   * than it saves. Above it, runs of parameters are split over the kernel threads.
   */
  private static final long PARALLEL_MIN_ELEMENTS = 1 << 15;

  private List<Parameter> params = List.of();
  private int[] bounds = new int[0];
  private int chunkCount;
  private final Kernels.ChunkBody stepChunks = this::updateChunk;
  private float[][][] slots;
  private long steps;
  private boolean initialised;
  private boolean lazyRows;

  /** Number of per-element state slots this rule keeps (Adam 2, Adagrad 1, SGD 0 or 1). */
  protected abstract int slotCount();

  /** The value every element of slot s starts at (0 unless a rule says otherwise). */
  protected float initialSlotValue(int slot) {
    return 0f;
  }

  /** Short name, e.g. "adam". */
  public abstract String name();

  /**
   * Called once per step, before any {@link #update}, with the step number (from 1): the place for
   * what depends on the step only, such as Adam's bias corrections, rather than every call of
   * update (one per touched row of a sparse parameter). Updates may then run on several threads.
   */
  protected void beginStep(long step) {}

  /**
   * Updates {@code w[off, off+len)} from {@code g} at the same positions; {@code state[s]} is slot
   * s of this parameter at the same positions. {@code step} counts from 1. Calls for different
   * positions may run on several threads at once, so an implementation writes nothing else.
   */
  protected abstract void update(
      float[] w, float[] g, float[][] state, int off, int len, long step);

  /**
   * Whether sparse-row parameters get only their touched rows updated (true) or every row, as
   * {@code torch.optim} (false, the default). Call before {@link #init}.
   */
  public final Optimizer lazyRows(boolean lazy) {
    if (initialised) {
      throw new IllegalStateException(name() + ": lazyRows() after init()");
    }
    this.lazyRows = lazy;
    return this;
  }

  /** Whether sparse-row parameters get only their touched rows updated. */
  public final boolean lazyRows() {
    return lazyRows;
  }

  /** Whether this step updates only p's touched rows. */
  private boolean rowsOnly(Parameter p) {
    return lazyRows && p.hasSparseGrad();
  }

  /** Allocates the state for {@code parameters} (float32, distinct names). */
  public final void init(List<Parameter> parameters) {
    List<Parameter> ps = new ArrayList<>(parameters);
    java.util.Set<String> names = new java.util.HashSet<>();
    for (Parameter p : ps) {
      if (!p.value().isFloat32()) {
        throw new IllegalArgumentException(name() + ": parameter " + p.name() + " is not float32");
      }
      if (!names.add(p.name())) {
        throw new IllegalArgumentException(name() + ": duplicate parameter name " + p.name());
      }
    }
    this.params = Collections.unmodifiableList(ps);
    this.slots = new float[ps.size()][slotCount()][];
    for (int i = 0; i < ps.size(); i++) {
      for (int s = 0; s < slotCount(); s++) {
        slots[i][s] = new float[ps.get(i).value().size()];
        java.util.Arrays.fill(slots[i][s], initialSlotValue(s));
      }
    }
    this.steps = 0;
    this.initialised = true;
  }

  /** The parameters given to {@link #init}. */
  public final List<Parameter> parameters() {
    return params;
  }

  /** Steps taken since init (or restored). */
  public final long steps() {
    return steps;
  }

  /** Applies one update from the accumulated gradients. Modifies the parameters and the state. */
  public final void step() {
    if (!initialised) {
      throw new IllegalStateException(name() + ": step() before init()");
    }
    steps++;
    beginStep(steps);
    int n = params.size();
    long dense = 0;
    long sparse = 0;
    for (Parameter p : params) {
      if (!p.trainable()) {
        continue;
      }
      if (rowsOnly(p)) {
        sparse += (long) p.touchedCount() * p.value().cols();
      } else {
        dense += p.value().size();
      }
    }
    int chunks = (int) Math.min(Kernels.threads(), (dense + sparse) / PARALLEL_MIN_ELEMENTS);
    chunkCount = Math.max(1, chunks);
    if (bounds.length < chunkCount + 1) {
      bounds = new int[chunkCount + 1];
    }
    // Dense parameters go whole to the chunks, in contiguous runs of about equal size; the touched
    // rows of each sparse parameter are shared out among all chunks. Each element is updated by
    // one thread with the same arithmetic, so the result does not depend on the split.
    long sum = 0;
    int chunk = 1;
    for (int i = 0; i < n && chunk < chunkCount; i++) {
      Parameter p = params.get(i);
      sum += p.trainable() && !rowsOnly(p) ? p.value().size() : 0;
      while (chunk < chunkCount && sum * chunkCount >= dense * chunk) {
        bounds[chunk++] = i + 1;
      }
    }
    while (chunk <= chunkCount) {
      bounds[chunk++] = n;
    }
    if (chunkCount == 1) {
      updateChunk(0);
    } else {
      Kernels.parallelFor(chunkCount, stepChunks);
    }
  }

  /** Dense parameters bounds[c] to bounds[c + 1], and chunk c's share of every sparse one. */
  private void updateChunk(int c) {
    for (int i = 0; i < params.size(); i++) {
      Parameter p = params.get(i);
      boolean sparseRows = rowsOnly(p);
      if (!p.trainable() || (!sparseRows && (i < bounds[c] || i >= bounds[c + 1]))) {
        continue;
      }
      Tensor w = p.value();
      float[] wf = w.floats();
      float[] gf = p.grad().floats();
      float[][] state = slots[i];
      if (w.offset() != 0 || p.grad().offset() != 0) {
        throw new IllegalStateException(name() + ": parameter " + p.name() + " is a view");
      }
      if (sparseRows) {
        int d = w.cols();
        int[] rows = p.touchedRows();
        int touched = p.touchedCount();
        int to = (int) ((long) touched * (c + 1) / chunkCount);
        for (int k = (int) ((long) touched * c / chunkCount); k < to; k++) {
          update(wf, gf, state, rows[k] * d, d, steps);
        }
      } else {
        update(wf, gf, state, 0, w.size(), steps);
      }
    }
  }

  /** Zeroes every parameter's gradient (only touched rows of sparse ones). */
  public final void zeroGrad() {
    for (Parameter p : params) {
      p.zeroGrad();
    }
  }

  /** Forgets the state: slots at their initial values, step count 0. */
  public final void reset() {
    requireInit();
    for (float[][] ps : slots) {
      for (int s = 0; s < ps.length; s++) {
        java.util.Arrays.fill(ps[s], initialSlotValue(s));
      }
    }
    steps = 0;
  }

  /** The state slots as tensors named {@code <param>/<slot>} (copies). */
  public final Map<String, Tensor> state() {
    requireInit();
    Map<String, Tensor> out = new LinkedHashMap<>();
    for (int i = 0; i < params.size(); i++) {
      Parameter p = params.get(i);
      for (int s = 0; s < slotCount(); s++) {
        out.put(p.name() + "/" + s, Tensor.wrap(slots[i][s].clone(), p.rows(), p.cols()));
      }
    }
    return out;
  }

  /**
   * Restores state written by {@link #state()} of the same kind of optimiser over the same
   * parameters.
   */
  public final void loadState(Map<String, Tensor> state, long stepCount) {
    requireInit();
    for (int i = 0; i < params.size(); i++) {
      Parameter p = params.get(i);
      for (int s = 0; s < slotCount(); s++) {
        String key = p.name() + "/" + s;
        Tensor t = state.get(key);
        if (t == null) {
          throw new IllegalArgumentException(name() + ": saved state lacks " + key);
        }
        if (t.size() != slots[i][s].length) {
          throw new IllegalArgumentException(
              name()
                  + ": saved state "
                  + key
                  + " is "
                  + t.shape()
                  + ", expected "
                  + p.value().shape());
        }
        for (int k = 0; k < t.size(); k++) {
          slots[i][s][k] = (float) t.getFlat(k);
        }
      }
    }
    if (stepCount < 0) {
      throw new IllegalArgumentException(name() + ": negative step count " + stepCount);
    }
    this.steps = stepCount;
  }

  private void requireInit() {
    if (!initialised) {
      throw new IllegalStateException(name() + ": not initialised; call init() first");
    }
  }

  static void checkPositive(String what, double v) {
    if (!(v > 0) || Double.isInfinite(v)) {
      throw new IllegalArgumentException(what + " must be finite and > 0, got " + v);
    }
  }

  static void checkDecay(String optimizer, double v) {
    if (!(v >= 0) || Double.isInfinite(v)) {
      throw new IllegalArgumentException(
          optimizer + " weight decay must be finite and >= 0, got " + v);
    }
  }

  static void checkUnit(String what, double v) {
    if (!(v >= 0 && v < 1)) {
      throw new IllegalArgumentException(what + " must be in [0, 1), got " + v);
    }
  }
}
