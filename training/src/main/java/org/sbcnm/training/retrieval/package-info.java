/**
 * Factorized top-K retrieval: the exact SIMD index, the approximate HNSW index (Lucene), versioned
 * index files, and serving-time popularity control.
 */
package org.sbcnm.training.retrieval;
