/** Differentiable operations, one file per family, each forward beside its backward rule. */
package org.sbcnm.engine.ops;
