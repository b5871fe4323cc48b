/**
 * Kernels: the public facade {@link org.sbcnm.engine.kernel.Kernels}, its scalar oracle and Vector
 * API implementations chosen once at start-up, blocked GEMM, tensor-level {@link
 * org.sbcnm.engine.kernel.MatrixOps} and per-row {@link org.sbcnm.engine.kernel.TopK}.
 */
package org.sbcnm.engine.kernel;
