package org.sbcnm.engine.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Whole-folder writes, stale temporaries and the writer lock. */
class AtomicFoldersTest {
  @TempDir Path dir;

  private List<String> names(Path folder) throws IOException {
    try (Stream<Path> s = Files.list(folder)) {
      return s.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
    }
  }

  @Test
  void aNewFolderAppearsWholeAndNothingIsLeftBeside() throws IOException {
    Path out = dir.resolve("out");
    AtomicFolders.write(out, false, d -> Files.writeString(d.resolve("a"), "1"));
    assertEquals(List.of("a"), names(out));
    assertEquals(List.of("out"), names(dir));
  }

  @Test
  void anEmptyFolderIsFilledWithoutPermission() throws IOException {
    Path out = Files.createDirectory(dir.resolve("out"));
    AtomicFolders.write(out, false, d -> Files.writeString(d.resolve("a"), "1"));
    assertEquals(List.of("a"), names(out));
  }

  @Test
  void aNonEmptyFolderIsRefusedBeforeTheWriterRuns() throws IOException {
    Path out = Files.createDirectory(dir.resolve("out"));
    Files.writeString(out.resolve("old"), "keep");
    boolean[] ran = {false};
    assertThrows(
        AtomicFolders.NotEmptyException.class,
        () -> AtomicFolders.write(out, false, d -> ran[0] = true));
    assertFalse(ran[0]);
    assertEquals(List.of("old"), names(out));
    assertThrows(
        AtomicFolders.NotEmptyException.class,
        () -> AtomicFolders.write(out.resolve("old"), true, d -> {}));
  }

  @Test
  void replacingLeavesNoOldFile() throws IOException {
    Path out = Files.createDirectory(dir.resolve("out"));
    Files.writeString(out.resolve("old"), "x");
    Files.writeString(out.resolve("shared"), "old");
    AtomicFolders.write(out, true, d -> Files.writeString(d.resolve("shared"), "new"));
    assertEquals(List.of("shared"), names(out));
    assertEquals("new", Files.readString(out.resolve("shared")));
    assertEquals(List.of("out"), names(dir));
  }

  @Test
  void aFailingWriterLeavesTheTargetAndNoTemporary() throws IOException {
    Path out = Files.createDirectory(dir.resolve("out"));
    Files.writeString(out.resolve("old"), "keep");
    IOException e =
        assertThrows(
            IOException.class,
            () ->
                AtomicFolders.write(
                    out,
                    true,
                    d -> {
                      Files.writeString(d.resolve("half"), "x");
                      throw new IOException("disk full");
                    }));
    assertEquals("disk full", e.getMessage());
    assertEquals(List.of("old"), names(out));
    assertEquals(List.of("out"), names(dir));
  }

  @Test
  void staleTemporariesOfEndedProcessesAreRemovedLiveOnesKept() throws Exception {
    Process ended = new ProcessBuilder("true").start();
    ended.waitFor();
    Process live = new ProcessBuilder("sleep", "60").start();
    try {
      Path target = dir.resolve("m.ckpt");
      Path stale = dir.resolve(".m.ckpt." + ended.pid() + "-7.tmp");
      Path staleFolder = dir.resolve(".m.ckpt." + ended.pid() + "-8.tmp");
      Path alive = dir.resolve(".m.ckpt." + live.pid() + "-1.tmp");
      Path other = dir.resolve(".n.ckpt." + ended.pid() + "-1.tmp");
      Path unrelated = dir.resolve(".m.ckpt.backup.tmp");
      Files.writeString(stale, "x");
      Files.createDirectories(staleFolder.resolve("inner"));
      Files.writeString(staleFolder.resolve("inner/f"), "x");
      Files.writeString(alive, "x");
      Files.writeString(other, "x");
      Files.writeString(unrelated, "x");
      AtomicFiles.write(target, out -> out.write(1));
      assertFalse(Files.exists(stale));
      assertFalse(Files.exists(staleFolder));
      assertTrue(Files.exists(alive), "a live process's temporary was removed");
      assertTrue(Files.exists(other), "another target's temporary was removed");
      assertTrue(Files.exists(unrelated));
      assertEquals(1, Files.size(target));
    } finally {
      live.destroyForcibly();
    }
  }

  @Test
  void ownerPidParsesOnlyItsOwnShape() {
    assertEquals(42, Temporaries.ownerPid(".m.42-1.tmp", ".m."));
    assertEquals(-1, Temporaries.ownerPid(".m.42.tmp", ".m."));
    assertEquals(-1, Temporaries.ownerPid(".m.x-1.tmp", ".m."));
    assertEquals(-1, Temporaries.ownerPid(".m.-1.tmp", ".m."));
    assertEquals(-1, Temporaries.ownerPid(".n.42-1.tmp", ".m."));
    assertEquals(-1, Temporaries.ownerPid(".m.42-1.tmpx", ".m."));
  }

  @Test
  void aSecondWriterIsRefusedUntilTheFirstEnds() throws IOException {
    Path target = dir.resolve("m.ckpt");
    try (WriterLock first = WriterLock.acquire(target)) {
      WriterLock.LockedException e =
          assertThrows(WriterLock.LockedException.class, () -> WriterLock.acquire(target));
      assertTrue(e.getMessage().contains(target.toString()), e.getMessage());
      assertTrue(
          e.getMessage().contains("process " + ProcessHandle.current().pid()), e.getMessage());
      assertTrue(e.getMessage().contains("m.ckpt.lock"), e.getMessage());
    }
    try (WriterLock again = WriterLock.acquire(target)) {
      assertTrue(Files.exists(WriterLock.lockFile(target)));
    }
  }
}
