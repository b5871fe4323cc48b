package org.sbcnm.training.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.sbcnm.engine.io.AtomicFiles;

/** JSON output through Jackson, written atomically. */
final class Json {
  static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private Json() {}

  static void write(Path file, Map<String, ?> value) throws IOException {
    AtomicFiles.write(
        file,
        out ->
            out.write(
                (MAPPER.writeValueAsString(value) + "\n")
                    .getBytes(java.nio.charset.StandardCharsets.UTF_8)));
  }
}
