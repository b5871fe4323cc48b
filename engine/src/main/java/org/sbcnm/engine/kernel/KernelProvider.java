package org.sbcnm.engine.kernel;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Chooses the float kernel implementation once, at first use, and logs the choice.
 *
 * <p>The Vector API implementation is taken when the {@code jdk.incubator.vector} module is in the
 * boot layer and its preferred species has at least 4 float lanes; otherwise the scalar one, with a
 * warning that says how to enable the module. The system property {@code sbcnm.kernels} ({@code
 * scalar} or {@code simd}) forces the choice; forcing {@code simd} without the module is an error.
 */
final class KernelProvider {
  static final String PROPERTY = "sbcnm.kernels";
  private static final String MODULE = "jdk.incubator.vector";
  private static final Logger LOG = LoggerFactory.getLogger(KernelProvider.class);

  private KernelProvider() {}

  /** Initialization-on-demand holder: the choice is made once, thread-safely. */
  static final class Holder {
    static final FloatKernels INSTANCE = choose();

    private Holder() {}
  }

  /**
   * Threads of the default kernel pool: the {@code sbcnm.threads} system property if set (an entry
   * point's setting, like {@value #PROPERTY}), else one per available processor.
   */
  static int defaultThreads() {
    return Math.max(
        1, Integer.getInteger("sbcnm.threads", Runtime.getRuntime().availableProcessors()));
  }

  static FloatKernels get() {
    return Holder.INSTANCE;
  }

  /** True when the Vector API module is resolved in this JVM. */
  static boolean vectorModulePresent() {
    return ModuleLayer.boot().findModule(MODULE).isPresent();
  }

  /** The Vector API implementation, or null when this JVM cannot load it. Never logs. */
  static FloatKernels simdOrNull() {
    if (!vectorModulePresent()) {
      return null;
    }
    try {
      Class<?> c = Class.forName("org.sbcnm.engine.kernel.SimdKernels");
      return (FloatKernels) c.getDeclaredField("INSTANCE").get(null);
    } catch (ReflectiveOperationException | LinkageError e) {
      return null;
    }
  }

  private static FloatKernels choose() {
    String forced = System.getProperty(PROPERTY, "").trim();
    FloatKernels chosen;
    if (forced.equals("scalar")) {
      chosen = ScalarKernels.INSTANCE;
    } else if (forced.equals("simd")) {
      chosen = simdOrNull();
      if (chosen == null) {
        throw new IllegalStateException(
            "-D"
                + PROPERTY
                + "=simd but the Vector API is unavailable: run java with --add-modules "
                + MODULE);
      }
    } else if (!forced.isEmpty()) {
      throw new IllegalStateException(
          "-D" + PROPERTY + " must be 'scalar' or 'simd', not '" + forced + "'");
    } else {
      FloatKernels simd = simdOrNull();
      if (simd == null) {
        LOG.warn(
            "Vector API unavailable; using scalar kernels (several times slower). "
                + "Run java with --add-modules {} to enable SIMD kernels.",
            MODULE);
        chosen = ScalarKernels.INSTANCE;
      } else if (simd.lanes() < 4) {
        LOG.warn(
            "Vector API preferred species has only {} float lanes; using scalar kernels.",
            simd.lanes());
        chosen = ScalarKernels.INSTANCE;
      } else {
        chosen = simd;
      }
    }
    LOG.info(
        "sbcnm kernels: {} ({} float lanes, {}-bit vectors)",
        chosen.name(),
        chosen.lanes(),
        chosen.lanes() * 32);
    return chosen;
  }
}
