package org.sbcnm.engine.io;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Writes a file so that readers see either the old file or the whole new one: the content goes to a
 * temporary file in the same folder, is flushed to disk, and is renamed over the target. On any
 * failure the temporary file is deleted and the target is untouched. Temporaries of the same target
 * left by a killed process are removed first.
 */
public final class AtomicFiles {
  private AtomicFiles() {}

  /** What writes the content. */
  @FunctionalInterface
  public interface Writer {
    void write(OutputStream out) throws IOException;
  }

  /** Writes {@code target} atomically through {@code writer}. */
  public static void write(Path target, Writer writer) throws IOException {
    Path abs = target.toAbsolutePath();
    Path dir = abs.getParent();
    if (dir != null) {
      Files.createDirectories(dir);
    }
    Temporaries.removeStale(abs);
    // A fresh name opened with CREATE_NEW gets the default permissions (createTempFile would make
    // it owner-only, and the rename would keep that).
    Path tmp = Temporaries.sibling(abs);
    boolean done = false;
    try {
      try (OutputStream raw =
              Files.newOutputStream(
                  tmp,
                  java.nio.file.StandardOpenOption.CREATE_NEW,
                  java.nio.file.StandardOpenOption.WRITE);
          BufferedOutputStream out = new BufferedOutputStream(raw, 1 << 16)) {
        writer.write(out);
        out.flush();
      }
      try (java.nio.channels.FileChannel ch =
          java.nio.channels.FileChannel.open(tmp, java.nio.file.StandardOpenOption.WRITE)) {
        ch.force(true);
      }
      try {
        Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING);
      }
      done = true;
    } finally {
      if (!done) {
        Files.deleteIfExists(tmp);
      }
    }
  }
}
