/** The batch-softmax loss with logQ correction, accidental-hit masking and hard-negative mining. */
package org.sbcnm.training.loss;
