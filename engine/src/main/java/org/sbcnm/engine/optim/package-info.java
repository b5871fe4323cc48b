/**
 * Optimisers (SGD with momentum, Adagrad, Adam, AdamW) with sparse row updates for embedding
 * tables.
 */
package org.sbcnm.engine.optim;
