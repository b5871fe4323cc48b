package org.sbcnm.training.cli;

import java.io.File;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;

/**
 * The jar's entry point. When the JVM was started without {@code jdk.incubator.vector} it starts
 * itself again with {@code --add-modules jdk.incubator.vector} (keeping the user's JVM options and
 * arguments, passing stdin/stdout/stderr through, and returning the child's exit code); the
 * environment variable {@code SBCNM_RELAUNCHED} guards against a loop. This class never touches the
 * Vector API: {@link Main} and the kernels load only after the decision.
 *
 * <p>Unless the user picked a collector, the child runs the serial one: a training step allocates
 * nothing, so collector threads buy no speed, while G1 grows the heap far beyond the live data
 * while a dataset loads (measured on {@code synth-bench}: peak RSS 891 MB with G1, 601 MB serial).
 */
public final class Launcher {
  static final String GUARD = "SBCNM_RELAUNCHED";
  private static final String MODULE = "jdk.incubator.vector";

  private Launcher() {}

  public static void main(String[] args) throws Exception {
    boolean present = ModuleLayer.boot().findModule(MODULE).isPresent();
    if (present || System.getenv(GUARD) != null || Boolean.getBoolean("sbcnm.noRelaunch")) {
      Main.main(args);
      return;
    }
    List<String> cmd = relaunchCommand(args);
    if (cmd == null) {
      Main.main(args);
      return;
    }
    ProcessBuilder pb = new ProcessBuilder(cmd).inheritIO();
    pb.environment().put(GUARD, "1");
    Process p = pb.start();
    Runtime.getRuntime().addShutdownHook(new Thread(p::destroy));
    System.exit(p.waitFor());
  }

  /**
   * java [user JVM options] --add-modules jdk.incubator.vector -cp JAR Main args, or null if
   * unknown.
   */
  static List<String> relaunchCommand(String[] args) {
    String javaHome = System.getProperty("java.home");
    String classPath = System.getProperty("java.class.path");
    if (javaHome == null || classPath == null || classPath.isEmpty()) {
      return null;
    }
    List<String> cmd = new ArrayList<>();
    cmd.add(javaHome + File.separator + "bin" + File.separator + "java");
    List<String> jvmOptions = ManagementFactory.getRuntimeMXBean().getInputArguments();
    cmd.addAll(jvmOptions);
    if (jvmOptions.stream().noneMatch(Launcher::choosesCollector)) {
      cmd.add("-XX:+UseSerialGC");
    }
    cmd.add("--add-modules");
    cmd.add(MODULE);
    cmd.add("-Dsbcnm.launchMillis=" + ManagementFactory.getRuntimeMXBean().getStartTime());
    cmd.add("-cp");
    cmd.add(classPath);
    cmd.add(Main.class.getName());
    for (String a : args) {
      cmd.add(a);
    }
    return cmd;
  }

  /** True for a JVM option that selects a garbage collector ({@code -XX:+UseG1GC} and the like). */
  static boolean choosesCollector(String jvmOption) {
    return jvmOption.startsWith("-XX:+Use") && jvmOption.endsWith("GC");
  }
}
