/**
 * Sampling probabilities for the logQ correction: the streaming frequency estimator of Yi et al.
 * (RecSys 2019, Algorithms 2 and 3), exact running counts, and fixed probabilities from a file.
 */
package org.sbcnm.training.sampling;
