/** Dense row-major float32/float64 matrices, their shapes and views, and bit masks. */
package org.sbcnm.engine.tensor;
