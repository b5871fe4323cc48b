package org.sbcnm.engine.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * An exclusive claim on a file that one run writes for its whole lifetime (a checkpoint): an
 * operating-system lock on {@code TARGET.lock} beside it, holding the owner's process id. A second
 * writer, in this JVM or another, is refused at once with {@link LockedException}. The lock ends
 * with {@link #close()} or with the process, so a killed run never leaves its target locked. The
 * lock file itself stays: deleting it would let two processes lock two different files of one name.
 */
public final class WriterLock implements AutoCloseable {
  /** The refusal of a second writer. */
  public static final class LockedException extends IOException {
    private static final long serialVersionUID = 1L;

    LockedException(String message) {
      super(message);
    }
  }

  private final FileChannel channel;
  private final FileLock lock;

  private WriterLock(FileChannel channel, FileLock lock) {
    this.channel = channel;
    this.lock = lock;
  }

  /** The lock file of {@code target}. */
  public static Path lockFile(Path target) {
    Path abs = target.toAbsolutePath().normalize();
    return abs.resolveSibling(abs.getFileName() + ".lock");
  }

  /**
   * Claims {@code target} for writing.
   *
   * @throws LockedException when another run holds it; the message names the target, the lock file
   *     and the holder's process id when known
   */
  public static WriterLock acquire(Path target) throws IOException {
    Path file = lockFile(target);
    Files.createDirectories(file.getParent());
    FileChannel ch =
        FileChannel.open(
            file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
    FileLock lock;
    try {
      lock = ch.tryLock();
    } catch (OverlappingFileLockException e) {
      lock = null;
    } catch (IOException e) {
      ch.close();
      throw e;
    }
    if (lock == null) {
      String holder = holder(ch);
      ch.close();
      throw new LockedException(
          target
              + ": another run"
              + (holder.isEmpty() ? "" : " (process " + holder + ")")
              + " is writing it (lock "
              + file
              + "); wait for it to end or choose another path");
    }
    try {
      ch.truncate(0);
      ch.write(
          ByteBuffer.wrap(
              (ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)),
          0);
    } catch (IOException e) {
      lock.release();
      ch.close();
      throw e;
    }
    return new WriterLock(ch, lock);
  }

  private static String holder(FileChannel ch) {
    try {
      ByteBuffer b = ByteBuffer.allocate(24);
      ch.read(b, 0);
      String s = new String(b.array(), 0, b.position(), StandardCharsets.US_ASCII).trim();
      return s.matches("[0-9]{1,19}") ? s : "";
    } catch (IOException e) {
      return "";
    }
  }

  @Override
  public void close() throws IOException {
    try {
      lock.release();
    } finally {
      channel.close();
    }
  }
}
