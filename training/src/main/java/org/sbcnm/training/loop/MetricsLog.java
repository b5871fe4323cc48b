package org.sbcnm.training.loop;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where each epoch's metrics go: one log line, and, given a file, one JSON object per line ({@code
 * epoch}, {@code loss}, {@code validation_<metric>}, {@code examples_per_second}, {@code seconds}),
 * appended so that a resumed run continues the same file.
 */
final class MetricsLog {
  // Under the trainer's name: the epoch lines have always come from "Trainer".
  private static final Logger LOG = LoggerFactory.getLogger(Trainer.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private final Path file;

  /**
   * @param file the JSONL file, or null for the log line only
   */
  MetricsLog(Path file) {
    this.file = file;
  }

  void epoch(EpochMetrics em) throws IOException {
    StringBuilder sb = new StringBuilder();
    for (Map.Entry<String, Double> e : em.metrics().entrySet()) {
      sb.append(" validation_")
          .append(e.getKey())
          .append('=')
          .append(String.format(Locale.ROOT, "%.4f", e.getValue()));
    }
    LOG.info(
        "epoch {} loss {}{} ({} examples/s)",
        em.epoch(),
        String.format(Locale.ROOT, "%.4f", em.loss()),
        sb,
        String.format(Locale.ROOT, "%.0f", em.examplesPerSecond()));
    if (file == null) {
      return;
    }
    ObjectNode o = JSON.createObjectNode();
    o.put("epoch", em.epoch());
    o.put("loss", em.loss());
    for (Map.Entry<String, Double> e : em.metrics().entrySet()) {
      o.put("validation_" + e.getKey(), e.getValue());
    }
    o.put("examples_per_second", em.examplesPerSecond());
    o.put("seconds", em.seconds());
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    Files.writeString(
        file,
        JSON.writeValueAsString(o) + "\n",
        StandardCharsets.UTF_8,
        StandardOpenOption.CREATE,
        StandardOpenOption.APPEND);
  }
}
