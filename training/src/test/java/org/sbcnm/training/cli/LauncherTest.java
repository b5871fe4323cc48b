package org.sbcnm.training.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The relaunch command: the Vector API module, the user's options, the collector choice. */
class LauncherTest {
  @Test
  void relaunchAddsTheModuleAndKeepsTheArguments() {
    List<String> cmd = Launcher.relaunchCommand(new String[] {"train", "--data", "d"});
    int module = cmd.indexOf("--add-modules");
    assertTrue(module > 0, cmd.toString());
    assertEquals("jdk.incubator.vector", cmd.get(module + 1));
    assertEquals(List.of("train", "--data", "d"), cmd.subList(cmd.size() - 3, cmd.size()));
    assertEquals(Main.class.getName(), cmd.get(cmd.size() - 4));
  }

  @Test
  void serialCollectorOnlyWhenTheUserChoseNone() {
    assertTrue(Launcher.choosesCollector("-XX:+UseG1GC"));
    assertTrue(Launcher.choosesCollector("-XX:+UseParallelGC"));
    assertTrue(Launcher.choosesCollector("-XX:+UseZGC"));
    assertFalse(Launcher.choosesCollector("-XX:+UseCompressedOops"));
    assertFalse(Launcher.choosesCollector("-Xmx2g"));
    List<String> cmd = Launcher.relaunchCommand(new String[0]);
    boolean userChose =
        ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
            .anyMatch(Launcher::choosesCollector);
    assertEquals(!userChose, cmd.contains("-XX:+UseSerialGC"), cmd.toString());
  }

  @Test
  void theRelaunchedJvmEndsWhenItsLauncherIsKilled(@TempDir Path dir) throws Exception {
    CliTest.Result prep =
        CliTest.run("prep", "synthetic", "--preset", "tiny", "--out", dir.resolve("d").toString());
    assertEquals(0, prep.code(), prep.err());
    // A launcher JVM without the Vector API module, which starts the training JVM as its child.
    List<String> launcher =
        List.of(
            System.getProperty("java.home") + File.separator + "bin" + File.separator + "java",
            "-cp",
            System.getProperty("java.class.path"),
            Launcher.class.getName(),
            "train",
            "--data",
            dir.resolve("d").toString(),
            "--epochs",
            "100000",
            "--quiet",
            "--save_path",
            dir.resolve("m.sbcnm").toString());
    Process p =
        new ProcessBuilder(launcher)
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("log.txt").toFile())
            .start();
    try {
      Optional<ProcessHandle> child = Optional.empty();
      for (int i = 0; i < 600 && child.isEmpty(); i++) {
        child = p.toHandle().children().findFirst();
        Thread.sleep(50);
      }
      assertTrue(child.isPresent(), "the launcher started no child JVM");
      assertTrue(child.get().isAlive());
      p.destroyForcibly(); // SIGKILL: the launcher's shutdown hook does not run
      assertTrue(p.waitFor(30, TimeUnit.SECONDS));
      child.get().onExit().get(30, TimeUnit.SECONDS);
      assertFalse(child.get().isAlive(), "the training JVM outlived its launcher");
    } finally {
      p.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
    }
  }

  @Test
  void onlyARelaunchedJvmWatchesItsLauncher() {
    String before = System.getProperty(Launcher.LAUNCHER_PID);
    try {
      System.clearProperty(Launcher.LAUNCHER_PID);
      Launcher.endWithLauncher(); // not relaunched: nothing happens, and this test goes on
      System.setProperty(Launcher.LAUNCHER_PID, "not a pid");
      Launcher.endWithLauncher();
    } finally {
      if (before == null) {
        System.clearProperty(Launcher.LAUNCHER_PID);
      } else {
        System.setProperty(Launcher.LAUNCHER_PID, before);
      }
    }
    assertTrue(
        Launcher.relaunchCommand(new String[0])
            .contains("-D" + Launcher.LAUNCHER_PID + "=" + ProcessHandle.current().pid()));
  }
}
