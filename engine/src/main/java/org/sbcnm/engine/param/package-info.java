/** Trainable parameters and seeded initialisers. */
package org.sbcnm.engine.param;
