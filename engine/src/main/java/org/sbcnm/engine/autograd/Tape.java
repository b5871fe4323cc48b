package org.sbcnm.engine.autograd;

import java.util.ArrayList;
import org.sbcnm.engine.kernel.MatrixOps;
import org.sbcnm.engine.param.Parameter;
import org.sbcnm.engine.tensor.DType;
import org.sbcnm.engine.tensor.Tensor;

/**
 * The record of one batch's forward computation, walked backwards for gradients.
 *
 * <p>Use one tape per training thread for the whole run and open a scope per batch:
 *
 * <pre>{@code
 * try (Tape t = tape.begin()) {
 *   Node loss = model.loss(t, batch);
 *   t.backward(loss);
 * }
 * }</pre>
 *
 * Nodes are appended in creation order, which is a topological order, so the backward walk is a
 * single reverse loop (iterative, no recursion). Nodes and their value, gradient and scratch
 * buffers are recycled by position from one scope to the next: a step that builds the same graph as
 * the previous one allocates nothing. Nodes of a closed scope must not be used.
 */
public final class Tape implements AutoCloseable {
  private final ArrayList<Node> nodes = new ArrayList<>();
  private int size;
  private int pass;
  private boolean open;

  /** Opens a scope, discarding every node of the previous one. */
  public Tape begin() {
    if (open) {
      throw new IllegalStateException("tape: begin() while a scope is open; close it first");
    }
    size = 0;
    pass++;
    open = true;
    return this;
  }

  /** Closes the scope. The nodes stay readable until the next {@link #begin()}. */
  @Override
  public void close() {
    open = false;
  }

  int pass() {
    return pass;
  }

  /** Number of nodes recorded in the current scope. */
  public int size() {
    return size;
  }

  /** A new node of this scope, for op implementations: value of the given shape, op set. */
  public Node newNode(Op op, DType type, int rows, int cols) {
    Node n = next(op);
    n.allocValue(type, rows, cols);
    return n;
  }

  private Node next(Op op) {
    if (!open) {
      throw new IllegalStateException("tape: no open scope; call begin() first");
    }
    Node n;
    if (size < nodes.size()) {
      n = nodes.get(size);
    } else {
      n = new Node(this, size);
      nodes.add(n);
    }
    size++;
    n.reset(op);
    return n;
  }

  /** A leaf holding {@code t} (not copied) that needs no gradient: data, targets, constants. */
  public Node constant(Tensor t) {
    Node n = next(null);
    n.value = t;
    return n;
  }

  /** A leaf holding {@code t} (not copied) whose gradient is collected (e.g. to check inputs). */
  public Node input(Tensor t) {
    Node n = constant(t);
    n.requiresGrad = true;
    return n;
  }

  /**
   * A leaf for a trainable parameter: its value, and its gradient accumulated into the parameter.
   */
  public Node param(Parameter p) {
    Node n = next(null);
    n.value = p.value();
    n.param = p;
    n.requiresGrad = p.trainable();
    return n;
  }

  /**
   * Back-propagates from {@code loss} (a [1, 1] node of this scope): seeds its gradient with 1 and
   * runs every reached node's backward rule in reverse creation order. Parameter gradients
   * accumulate; call it once per scope.
   */
  public void backward(Node loss) {
    backward(loss, 1.0);
  }

  /** As {@link #backward(Node)}, seeding the gradient with {@code seed} instead of 1. */
  public void backward(Node loss, double seed) {
    checkOutput(loss);
    if (loss.rows() != 1 || loss.cols() != 1) {
      throw new IllegalArgumentException(
          "backward: loss must be [1, 1], got " + loss.value().shape());
    }
    pass++;
    loss.gradForAccumulate().fill(seed);
    walkBack(loss);
  }

  /**
   * Back-propagates a given gradient of a non-scalar node: seeds the gradient of {@code output}
   * with {@code outputGrad} (copied, same shape) and runs the backward rules as {@link
   * #backward(Node)} does. This lets one part of a model be recorded on its own tape (a tower,
   * built on another thread) and fed the gradient that the rest of the model computed for its
   * output: the vector-Jacobian product of the part.
   */
  public void backward(Node output, Tensor outputGrad) {
    checkOutput(output);
    Tensor v = output.value();
    if (outputGrad.rows() != v.rows()
        || outputGrad.cols() != v.cols()
        || outputGrad.dtype() != v.dtype()) {
      throw new IllegalArgumentException(
          "backward: gradient "
              + outputGrad.shape()
              + " "
              + outputGrad.dtype()
              + " does not match output "
              + v.shape()
              + " "
              + v.dtype());
    }
    pass++;
    if (output.gradBeta() == 0) {
      MatrixOps.scale(1.0, outputGrad, output.gradForWrite());
    } else {
      MatrixOps.axpy(1.0, outputGrad, output.gradForWrite());
    }
    walkBack(output);
  }

  private void checkOutput(Node output) {
    if (output.tape != this || output.index >= size || nodes.get(output.index) != output) {
      throw new IllegalArgumentException("backward: node is not part of this tape's scope");
    }
    if (!output.requiresGrad) {
      throw new IllegalArgumentException(
          "backward: nothing in the graph of " + output + " requires a gradient");
    }
  }

  private void walkBack(Node output) {
    for (int i = output.index; i >= 0; i--) {
      Node n = nodes.get(i);
      if (n.op != null && n.requiresGrad && n.hasGrad()) {
        n.op.backward(n);
      }
    }
  }
}
