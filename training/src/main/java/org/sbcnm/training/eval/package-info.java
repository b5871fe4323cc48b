/**
 * Retrieval metrics over the full catalogue: Recall@K, NDCG@K, MRR, with training items excluded.
 */
package org.sbcnm.training.eval;
