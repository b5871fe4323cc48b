package org.sbcnm.engine.io;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Writes a folder so that it never holds a mix of old and new files: everything is built in a
 * temporary sibling folder ({@code .NAME.PID-SEQ.tmp}), which is then renamed to the target in one
 * step. A non-empty target is refused unless the caller allows replacing it; a replaced folder is
 * first renamed aside, so readers see the whole old folder or the whole new one (and, for an
 * instant, none). On any failure the temporary folder is removed and the target is untouched.
 */
public final class AtomicFolders {
  private AtomicFolders() {}

  /** What fills the folder. */
  @FunctionalInterface
  public interface Writer {
    /**
     * Writes the folder's files.
     *
     * @param dir an empty folder on the target's file system
     */
    void write(Path dir) throws IOException;
  }

  /** The refusal of a non-empty target. */
  public static final class NotEmptyException extends IOException {
    private static final long serialVersionUID = 1L;

    NotEmptyException(String message) {
      super(message);
    }
  }

  /** Deletes a file, or a folder and all it holds (links not followed); a missing path is fine. */
  public static void deleteTree(Path p) throws IOException {
    Temporaries.deleteTree(p);
  }

  /** True when {@code dir} is missing or an empty folder. */
  public static boolean isMissingOrEmpty(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return true;
    }
    if (!Files.isDirectory(dir)) {
      return false;
    }
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
      return !entries.iterator().hasNext();
    }
  }

  /**
   * Fills {@code target} through {@code writer}, atomically.
   *
   * @param replace whether a non-empty {@code target} may be replaced; when false it is refused
   *     with {@link NotEmptyException} before {@code writer} runs
   */
  public static void write(Path target, boolean replace, Writer writer) throws IOException {
    Path abs = target.toAbsolutePath().normalize();
    if (Files.exists(abs) && !Files.isDirectory(abs)) {
      throw new NotEmptyException(target + ": is a file, not a folder");
    }
    if (!replace && !isMissingOrEmpty(abs)) {
      throw new NotEmptyException(
          target + ": the folder is not empty; choose another or allow replacing it");
    }
    Path parent = abs.getParent();
    Files.createDirectories(parent);
    Temporaries.removeStale(abs);
    Path tmp = Temporaries.sibling(abs);
    Path old = null;
    boolean done = false;
    try {
      Files.createDirectory(tmp);
      writer.write(tmp);
      if (Files.exists(abs)) {
        if (isMissingOrEmpty(abs)) {
          Files.delete(abs);
        } else if (replace) {
          old = Temporaries.sibling(abs);
          move(abs, old);
        } else {
          throw new NotEmptyException(
              target + ": another process filled the folder meanwhile; nothing was written");
        }
      }
      try {
        move(tmp, abs);
      } catch (IOException e) {
        if (old != null) {
          move(old, abs);
          old = null;
        }
        throw e;
      }
      done = true;
    } catch (DirectoryNotEmptyException e) {
      throw new NotEmptyException(target + ": another process filled the folder meanwhile");
    } finally {
      if (!done) {
        Temporaries.deleteTree(tmp);
      }
      if (old != null) {
        Temporaries.deleteTree(old);
      }
    }
  }

  private static void move(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(from, to);
    }
  }
}
