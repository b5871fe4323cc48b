package org.sbcnm.engine.autograd;

import java.util.function.Supplier;
import org.sbcnm.engine.param.Parameter;
import org.sbcnm.engine.tensor.DType;
import org.sbcnm.engine.tensor.Tensor;

/**
 * One value on a {@link Tape}: its tensor, a lazily zeroed gradient of the same shape, its parents
 * and the {@link Op} that made it (null for a leaf). Nodes are owned and recycled by their tape: a
 * node is valid only until the tape's next {@link Tape#begin()}.
 *
 * <p>What an op's backward rule needs beyond the values is the op's own saved state, a small class
 * of named fields ({@link #save}, read back by {@link #saved}), and scratch tensors ({@link
 * #scratch}). Both are recycled with the node: a step that builds the same graph as the last one
 * reuses them and allocates nothing.
 */
public final class Node {
  final Tape tape;
  final int index;
  private final Buffer valueBuffer = new Buffer();
  private final Buffer gradBuffer = new Buffer();
  private final Buffer[] scratchBuffers = {new Buffer(), new Buffer(), new Buffer()};
  private Node[] parents = new Node[2];
  private int parentCount;
  Op op;
  Tensor value;
  private Tensor grad;
  private int gradPass = -1;
  boolean requiresGrad;
  Parameter param;

  /** The op's saved state: kept across recycling, so an op finds its own from the last step. */
  private Object saved;

  Node(Tape tape, int index) {
    this.tape = tape;
    this.index = index;
  }

  void reset(Op op) {
    this.op = op;
    this.value = null;
    this.grad = null;
    this.gradPass = -1;
    this.requiresGrad = false;
    this.param = null;
    for (int i = 0; i < parentCount; i++) {
      parents[i] = null;
    }
    parentCount = 0;
  }

  Tensor allocValue(DType type, int rows, int cols) {
    value = valueBuffer.get(type, rows, cols);
    return value;
  }

  /** The forward value. */
  public Tensor value() {
    return value;
  }

  /** The gradient of the last backward pass, or null if none reached this node. */
  public Tensor grad() {
    if (param != null) {
      return param.grad();
    }
    return gradPass == tape.pass() ? grad : null;
  }

  /** The op's name, or "leaf". */
  public String opName() {
    return op == null ? (param != null ? "param:" + param.name() : "leaf") : op.name();
  }

  public int rows() {
    return value.rows();
  }

  public int cols() {
    return value.cols();
  }

  public DType dtype() {
    return value.dtype();
  }

  /** True when some gradient must flow through this node. */
  public boolean requiresGrad() {
    return requiresGrad;
  }

  /** The parameter behind a parameter leaf, else null. */
  public Parameter param() {
    return param;
  }

  public int parentCount() {
    return parentCount;
  }

  public Node parent(int i) {
    if (i >= parentCount) {
      throw new IndexOutOfBoundsException(
          "parent " + i + " of " + parentCount + " (" + opName() + ")");
    }
    return parents[i];
  }

  /** Appends a parent; the node requires a gradient if any parent does. For op implementations. */
  public void addParent(Node p) {
    if (p.tape != tape) {
      throw new IllegalArgumentException(opName() + ": parent from another tape");
    }
    if (p.index >= index) {
      throw new IllegalStateException(
          opName() + ": parent " + p.opName() + " was made after its child");
    }
    if (parentCount == parents.length) {
      Node[] grown = new Node[parents.length * 2];
      System.arraycopy(parents, 0, grown, 0, parentCount);
      parents = grown;
    }
    parents[parentCount++] = p;
    requiresGrad |= p.requiresGrad;
  }

  /**
   * The gradient buffer to accumulate into during this backward pass: zeroed on first use in the
   * pass. For a parameter leaf, the parameter's own gradient (zeroed by the optimiser), with every
   * row marked as touched.
   */
  public Tensor gradForAccumulate() {
    boolean first = gradBeta() == 0;
    Tensor g = gradForWrite();
    if (first) {
      g.fill(0);
    }
    return g;
  }

  /**
   * β for the next contribution to this node's gradient: 0 when it is the first of this backward
   * pass, 1 after. Ops whose contribution covers every element write {@code g = β·g + Δ} into
   * {@link #gradForWrite()}, which saves zeroing the buffer and re-reading it.
   */
  public double gradBeta() {
    return param != null || gradPass == tape.pass() ? 1.0 : 0.0;
  }

  /**
   * The gradient buffer for a contribution that covers every element, to be combined as {@code g =
   * gradBeta()·g + Δ}: when {@link #gradBeta()} was 0 it holds stale values that must not be read.
   */
  public Tensor gradForWrite() {
    if (param != null) {
      param.markAllRows();
      return param.grad();
    }
    int pass = tape.pass();
    if (gradPass != pass) {
      grad = gradBuffer.get(value.dtype(), value.rows(), value.cols());
      gradPass = pass;
    }
    return grad;
  }

  /** True when a gradient reached this node in the current backward pass. */
  boolean hasGrad() {
    return gradPass == tape.pass();
  }

  /**
   * For an op's forward: the node's saved state of class {@code type}, to be filled in; the same
   * object as in the node's last use when that held a {@code type} (the steady state allocates
   * nothing), else a new one from {@code fresh}. Every field must be set: a reused state holds the
   * last step's values.
   */
  public <S> S save(Class<S> type, Supplier<S> fresh) {
    if (!type.isInstance(saved)) {
      saved = fresh.get();
    }
    return type.cast(saved);
  }

  /**
   * For an op's backward: the state its forward saved.
   *
   * @throws IllegalStateException when the node holds no state of class {@code type}
   */
  public <S> S saved(Class<S> type) {
    if (!type.isInstance(saved)) {
      throw new IllegalStateException(opName() + ": no saved " + type.getSimpleName());
    }
    return type.cast(saved);
  }

  /** A reusable op-owned scratch tensor (slot 0 to 2) of the given shape; contents unspecified. */
  public Tensor scratch(int slot, DType type, int rows, int cols) {
    return scratchBuffers[slot].get(type, rows, cols);
  }

  @Override
  public String toString() {
    return "Node#" + index + "(" + opName() + ", " + (value == null ? "?" : value.shape()) + ")";
  }
}
