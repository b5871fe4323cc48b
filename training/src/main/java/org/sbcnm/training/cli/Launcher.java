package org.sbcnm.training.cli;

import java.io.File;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

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
 *
 * <p>The child ends when the launcher ends, however it ends ({@code kill -9} included): it is given
 * the launcher's process id and {@link #endWithLauncher() watches} it, so no orphaned run goes on
 * writing a checkpoint that a user's next run also writes.
 */
public final class Launcher {
  static final String GUARD = "SBCNM_RELAUNCHED";
  private static final String MODULE = "jdk.incubator.vector";
  static final String LAUNCHER_PID = "sbcnm.launcherPid";

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
   * In a relaunched JVM, halts it as soon as the launcher process has ended (at once if it already
   * has). Does nothing in a JVM that was not relaunched.
   */
  static void endWithLauncher() {
    String pid = System.getProperty(LAUNCHER_PID);
    if (pid == null) {
      return;
    }
    Optional<ProcessHandle> launcher;
    try {
      launcher = ProcessHandle.of(Long.parseLong(pid));
    } catch (NumberFormatException e) {
      return;
    }
    if (launcher.isEmpty()) {
      Runtime.getRuntime().halt(EXIT_ORPHANED);
    }
    launcher.get().onExit().thenRun(() -> Runtime.getRuntime().halt(EXIT_ORPHANED));
  }

  /** The exit code of a relaunched JVM that ended because its launcher did (128 + SIGHUP). */
  static final int EXIT_ORPHANED = 129;

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
    cmd.add("-D" + LAUNCHER_PID + "=" + ProcessHandle.current().pid());
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
