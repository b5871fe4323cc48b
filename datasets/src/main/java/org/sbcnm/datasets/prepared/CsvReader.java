package org.sbcnm.datasets.prepared;

import java.io.BufferedReader;
import java.io.Closeable;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A small RFC 4180 reader: one record per call, any single-character delimiter, fields optionally
 * in double quotes (a quote inside a quoted field is doubled; quoted fields may span lines), LF or
 * CRLF line ends, UTF-8 with malformed input reported. Records are returned as reused lists of
 * strings; {@link #line()} gives the 1-based line where the current record started.
 */
public final class CsvReader implements Closeable {
  private final Path file;
  private final BufferedReader in;
  private final char delimiter;
  private final List<String> fields = new ArrayList<>();
  private final StringBuilder field = new StringBuilder();
  private long line;
  private long nextLine = 1;
  private boolean started;

  public CsvReader(Path file, char delimiter) throws IOException {
    this.file = file;
    this.delimiter = delimiter;
    this.in =
        new BufferedReader(
            new java.io.InputStreamReader(
                Files.newInputStream(file),
                StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)),
            1 << 16);
  }

  /** Spreadsheet programs start UTF-8 files with U+FEFF; it is not part of the first field. */
  private void skipByteOrderMark() throws IOException {
    in.mark(1);
    if (in.read() != '\uFEFF') {
      in.reset();
    }
  }

  public Path file() {
    return file;
  }

  /** 1-based line number where the last record returned by {@link #next} started. */
  public long line() {
    return line;
  }

  /** The next record (a list reused between calls), or null at the end of the file. */
  public List<String> next() throws IOException {
    try {
      if (nextLine == 1 && !started) {
        started = true;
        skipByteOrderMark();
      }
      return readRecord();
    } catch (CharacterCodingException e) {
      throw new DatasetException(file + ":" + nextLine + ": not valid UTF-8 text");
    }
  }

  private List<String> readRecord() throws IOException {
    fields.clear();
    field.setLength(0);
    line = nextLine;
    int c = in.read();
    if (c < 0) {
      return null;
    }
    boolean quoted = false;
    boolean wasQuoted = false;
    while (true) {
      if (quoted) {
        if (c < 0) {
          throw new DatasetException(file + ":" + line + ": unterminated quoted field");
        }
        if (c == '"') {
          int d = in.read();
          if (d == '"') {
            field.append('"');
          } else {
            quoted = false;
            c = d;
            continue;
          }
        } else {
          if (c == '\n') {
            nextLine++;
          }
          field.append((char) c);
        }
      } else if (c < 0 || c == '\n') {
        endField();
        nextLine++;
        return fields;
      } else if (c == '\r') {
        int d = in.read();
        if (d != '\n' && d >= 0) {
          throw new DatasetException(file + ":" + line + ": carriage return inside a record");
        }
        endField();
        nextLine++;
        return fields;
      } else if (c == delimiter) {
        endField();
        wasQuoted = false;
      } else if (c == '"' && field.length() == 0 && !wasQuoted) {
        quoted = true;
        wasQuoted = true;
      } else {
        if (wasQuoted) {
          throw new DatasetException(
              file + ":" + line + ": text after a closing quote in field " + (fields.size() + 1));
        }
        field.append((char) c);
      }
      c = in.read();
    }
  }

  private void endField() {
    fields.add(field.toString());
    field.setLength(0);
  }

  @Override
  public void close() throws IOException {
    in.close();
  }
}
