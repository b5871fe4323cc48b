package org.sbcnm.engine.io;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * Names and cleans the temporary siblings that atomic writes build beside their target: {@code
 * .NAME.PID-SEQ.tmp}, a file or a folder. The owner's process id in the name tells a temporary left
 * by a killed process (no such process any more) from one that a live process is still writing, so
 * stale ones can be removed without a lock.
 */
final class Temporaries {
  private static final long PID = ProcessHandle.current().pid();
  private static final AtomicLong SEQUENCE = new AtomicLong();
  private static final String SUFFIX = ".tmp";

  private Temporaries() {}

  /** A fresh temporary name beside {@code target} (absolute), owned by this process. */
  static Path sibling(Path target) {
    return target.resolveSibling(
        "." + target.getFileName() + "." + PID + "-" + SEQUENCE.incrementAndGet() + SUFFIX);
  }

  /**
   * Removes the temporaries of {@code target} (absolute) whose owning process has ended. Errors
   * while removing are ignored: a stale temporary costs disk space, never correctness.
   *
   * @return how many were removed
   */
  static int removeStale(Path target) {
    Path dir = target.getParent();
    if (dir == null || !Files.isDirectory(dir)) {
      return 0;
    }
    String prefix = "." + target.getFileName() + ".";
    int removed = 0;
    try (DirectoryStream<Path> siblings = Files.newDirectoryStream(dir, prefix + "*" + SUFFIX)) {
      for (Path p : siblings) {
        long owner = ownerPid(p.getFileName().toString(), prefix);
        if (owner > 0 && owner != PID && ProcessHandle.of(owner).isEmpty()) {
          deleteTree(p);
          removed++;
        }
      }
    } catch (IOException | RuntimeException e) {
      return removed;
    }
    return removed;
  }

  /** The pid in {@code .NAME.PID-SEQ.tmp}, or -1 when the name has another shape. */
  static long ownerPid(String name, String prefix) {
    if (!name.startsWith(prefix) || !name.endsWith(SUFFIX)) {
      return -1;
    }
    String middle = name.substring(prefix.length(), name.length() - SUFFIX.length());
    int dash = middle.indexOf('-');
    if (dash <= 0) {
      return -1;
    }
    try {
      return Long.parseLong(middle.substring(0, dash));
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /** Deletes a file, or a folder and everything in it; missing paths are fine. */
  static void deleteTree(Path p) throws IOException {
    if (!Files.exists(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    if (!Files.isDirectory(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      Files.deleteIfExists(p);
      return;
    }
    try (Stream<Path> walk = Files.walk(p)) {
      for (Path f : (Iterable<Path>) walk.sorted(Comparator.reverseOrder())::iterator) {
        Files.deleteIfExists(f);
      }
    }
  }
}
