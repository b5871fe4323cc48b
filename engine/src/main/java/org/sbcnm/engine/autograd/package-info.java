/**
 * Reverse-mode automatic differentiation: the per-batch {@link org.sbcnm.engine.autograd.Tape}, its
 * nodes and the backward walk.
 */
package org.sbcnm.engine.autograd;
