/**
 * Compressed sparse row matrices, built from coordinates, normalised, and multiplied with dense
 * tensors.
 */
package org.sbcnm.engine.sparse;
