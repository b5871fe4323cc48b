package org.sbcnm.engine.testing;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The contract every reader of outside bytes keeps, checked by the fuzz tests: given any bytes, it
 * returns a valid object or throws one of the project's typed data errors with a message, never
 * anything else; and it never allocates more than {@link #allocationBound(long)} for an input of
 * that size, so a crafted header cannot claim gigabytes.
 */
public final class ReaderContract {
  /** What a reader does with a file. */
  @FunctionalInterface
  public interface Reader {
    /**
     * Reads {@code file} and checks the result's invariants (throwing {@link AssertionError} when
     * they fail).
     */
    void read(Path file) throws Exception;
  }

  private static final com.sun.management.ThreadMXBean THREADS =
      (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

  private final Reader reader;
  private final List<Class<? extends Exception>> typedErrors;
  private Path scratch;

  /**
   * @param reader the reader under test
   * @param typedErrors the project's data errors it may throw
   */
  @SafeVarargs
  public ReaderContract(Reader reader, Class<? extends Exception>... typedErrors) {
    this.reader = reader;
    this.typedErrors = List.of(typedErrors);
  }

  /**
   * The allocation a reader may make for an input of {@code size} bytes: 64 bytes per input byte
   * (boxing and parsing overheads included) plus 64 MiB for buffers, class initialisation and the
   * fuzzer's own hooks (a small dataset's first read under instrumentation allocates about 50 MiB,
   * later ones 1.5 MiB). The memory bombs this guards against claim gigabytes.
   */
  public static long allocationBound(long size) {
    return 64 * size + (FUZZING ? FUZZING_SLACK : 64L << 20);
  }

  /**
   * Whether Jazzer is fuzzing (not replaying inputs): its instrumentation allocates on behalf of
   * the code it watches (string and regex hooks: 100-160 MiB for one small MovieLens folder), so
   * the bound's constant grows to {@link #FUZZING_SLACK}, still far below a memory bomb.
   */
  private static final boolean FUZZING =
      System.getenv("JAZZER_FUZZ") != null && !System.getenv("JAZZER_FUZZ").isEmpty();

  private static final long FUZZING_SLACK = 1L << 30;

  /** Writes {@code input} to a scratch file and checks the contract on it. */
  public void check(byte[] input) throws IOException {
    if (scratch == null) {
      Path dir = Files.createTempDirectory("sbcnm-fuzz");
      dir.toFile().deleteOnExit();
      scratch = dir.resolve("input");
      scratch.toFile().deleteOnExit();
    }
    Files.write(scratch, input);
    check(scratch, input.length);
  }

  /** Checks the contract on {@code path}, a file or folder of {@code size} bytes in all. */
  public void check(Path path, long size) {
    long before = THREADS.getCurrentThreadAllocatedBytes();
    try {
      reader.read(path);
    } catch (Exception e) {
      if (typedErrors.stream().noneMatch(t -> t.isInstance(e))) {
        throw new AssertionError("untyped error " + e, e);
      }
      String m = e.getMessage();
      assertTrue(m != null && !m.isBlank(), "typed error without a message: " + e);
    }
    long allocated = THREADS.getCurrentThreadAllocatedBytes() - before;
    assertTrue(
        allocated <= allocationBound(size),
        "allocated " + allocated + " bytes for " + size + " input bytes");
  }
}
