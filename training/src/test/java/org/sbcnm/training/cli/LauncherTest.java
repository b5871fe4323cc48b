package org.sbcnm.training.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.util.List;
import org.junit.jupiter.api.Test;

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
}
