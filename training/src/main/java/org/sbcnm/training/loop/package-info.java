/** The training loop: configuration, model construction, checkpoints with provenance, resume. */
package org.sbcnm.training.loop;
