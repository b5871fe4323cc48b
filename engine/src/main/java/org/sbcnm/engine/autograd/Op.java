package org.sbcnm.engine.autograd;

/**
 * A differentiable operation. Each implementation lives beside its forward function (package {@code
 * org.sbcnm.engine.ops}) and is a stateless singleton: everything a backward rule needs is kept on
 * its {@link Node}.
 */
public interface Op {
  /** Name used in errors and graph dumps. */
  String name();

  /**
   * Accumulates {@code node.grad()} into the gradients of the node's parents that require one
   * (obtained with {@link Node#gradForAccumulate()}).
   */
  void backward(Node node);
}
