/**
 * Binary tensor I/O: NumPy {@code .npy} files and the versioned tensor bundle used for checkpoints.
 */
package org.sbcnm.engine.io;
