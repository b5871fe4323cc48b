package org.sbcnm.bench;

import org.sbcnm.engine.kernel.Kernels;

/**
 * Selects the kernel implementation for one JMH fork. The provider decides once per JVM, and JMH
 * runs every parameter combination in its own fork, so setting the system property in the first
 * {@code @Setup} is enough; the check makes a mistake loud instead of a silently wrong table.
 */
final class KernelChoice {
  private KernelChoice() {}

  static void use(String impl, int threads) {
    System.setProperty("sbcnm.kernels", impl);
    if (!Kernels.implementation().equals(impl)) {
      throw new IllegalStateException(
          "benchmark wants kernels '"
              + impl
              + "' but this JVM runs '"
              + Kernels.implementation()
              + "' (run each parameter in its own fork, with --add-modules jdk.incubator.vector)");
    }
    Kernels.setThreads(threads);
  }
}
