package org.sbcnm.engine.tensor;

/**
 * Element type of a {@link Tensor}: float32 for training and serving, float64 for gradient checks.
 */
public enum DType {
  FLOAT32,
  FLOAT64
}
