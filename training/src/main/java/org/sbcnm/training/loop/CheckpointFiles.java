package org.sbcnm.training.loop;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Numbered checkpoint paths, as the original project wrote them: a {@code {}} in a checkpoint's
 * file name stands for the epoch. Training writes one file per epoch, numbered from 1; a reading
 * command given such a path takes the highest-numbered file present.
 */
public final class CheckpointFiles {
  private static final String MARK = "{}";

  private CheckpointFiles() {}

  /** Whether {@code path}'s file name holds the epoch mark {@code {}}. */
  public static boolean numbered(Path path) {
    Path name = path.getFileName();
    return name != null && name.toString().contains(MARK);
  }

  /** The file of epoch {@code epoch} (from 1); {@code path} itself when it is not numbered. */
  public static Path forEpoch(Path path, int epoch) {
    if (!numbered(path)) {
      return path;
    }
    return path.resolveSibling(
        path.getFileName().toString().replace(MARK, Integer.toString(epoch)));
  }

  /**
   * The highest-numbered file present for a numbered path, {@code path} itself otherwise.
   *
   * @throws NoSuchFileException when no file matches
   */
  public static Path latest(Path path) throws IOException {
    if (!numbered(path)) {
      return path;
    }
    String name = path.getFileName().toString();
    int at = name.indexOf(MARK);
    Pattern pattern =
        Pattern.compile(
            Pattern.quote(name.substring(0, at))
                + "(\\d{1,9})"
                + Pattern.quote(name.substring(at + MARK.length()).replace(MARK, "")));
    Path dir = path.toAbsolutePath().getParent();
    Path best = null;
    long bestEpoch = -1;
    if (Files.isDirectory(dir)) {
      try (Stream<Path> files = Files.list(dir)) {
        for (Path f : (Iterable<Path>) files::iterator) {
          Matcher m = pattern.matcher(f.getFileName().toString());
          if (m.matches() && Long.parseLong(m.group(1)) > bestEpoch) {
            bestEpoch = Long.parseLong(m.group(1));
            best = path.resolveSibling(f.getFileName());
          }
        }
      }
    }
    if (best == null) {
      throw new NoSuchFileException(path + " (no numbered checkpoint matches)");
    }
    return best;
  }
}
