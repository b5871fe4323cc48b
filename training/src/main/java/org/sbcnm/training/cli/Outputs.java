package org.sbcnm.training.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The rule that no command writes over one of its own inputs: an output path that names the same
 * file as an input (compared as real paths, links and relative forms resolved) is refused before
 * anything is read or written.
 */
final class Outputs {
  private Outputs() {}

  /**
   * Refuses {@code output} (given as {@code flag}) when it is one of {@code inputs}.
   *
   * @param output a file the command will write, or null
   */
  static void refuseInputs(String flag, Path output, List<Path> inputs) throws IOException {
    if (output == null) {
      return;
    }
    for (Path in : inputs) {
      if (same(output, in)) {
        throw new CliException(
            flag
                + " "
                + output
                + " is one of this command's inputs ("
                + in
                + "); refusing to overwrite it");
      }
    }
  }

  /**
   * Refuses a folder {@code output} (given as {@code flag}) that would be replaced as a whole while
   * it holds one of {@code inputs}.
   */
  static void refuseInputsWithin(String flag, Path output, List<Path> inputs) throws IOException {
    Path folder = real(output);
    for (Path in : inputs) {
      if (real(in).startsWith(folder)) {
        throw new CliException(
            flag + " " + output + " holds this command's input " + in + "; refusing to replace it");
      }
    }
  }

  private static Path real(Path p) throws IOException {
    return Files.exists(p) ? p.toRealPath() : p.toAbsolutePath().normalize();
  }

  private static boolean same(Path a, Path b) throws IOException {
    if (Files.exists(a) && Files.exists(b)) {
      return Files.isSameFile(a, b);
    }
    return a.toAbsolutePath().normalize().equals(b.toAbsolutePath().normalize());
  }
}
