/** Shuffled mini-batches over training examples. */
package org.sbcnm.datasets.batch;
