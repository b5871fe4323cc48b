/**
 * JMH benchmarks. Each pairs our SIMD kernels with the scalar oracle and, where one exists, EJML;
 * {@code @Param} sizes are real tower widths and batch sizes. Run {@code java --add-modules
 * jdk.incubator.vector -jar bench/target/benchmarks.jar}; see {@code bench/README.md}.
 */
package org.sbcnm.bench;
