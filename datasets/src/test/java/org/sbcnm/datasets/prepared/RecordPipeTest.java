package org.sbcnm.datasets.prepared;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Records parsed on a second thread: order, line numbers, blank lines, errors, early close. */
class RecordPipeTest {
  @TempDir Path dir;

  /** A header, then {@code n} records "r,2r" with a blank line after every 1000th. */
  private Path file(int n, String tail) throws IOException {
    StringBuilder sb = new StringBuilder("a,b\n");
    for (int r = 0; r < n; r++) {
      sb.append(r).append(',').append(2 * r).append('\n');
      if (r % 1000 == 999) {
        sb.append('\n');
      }
    }
    sb.append(tail);
    Path p = dir.resolve("records.csv");
    Files.writeString(p, sb.toString(), StandardCharsets.UTF_8);
    return p;
  }

  @Test
  void recordsComeOutInOrderWithTheirLines() throws IOException {
    // Exactly two batches of records, so the end arrives as an empty batch.
    int n = 2 * RecordPipe.BATCH;
    Path p = file(n, "");
    int seen = 0;
    CsvReader csv = new CsvReader(p, ',');
    csv.next();
    try (csv;
        RecordPipe pipe = new RecordPipe(csv, p, 2, "a,b")) {
      for (RecordPipe.Batch b = pipe.next(null); b != null; b = pipe.next(b)) {
        for (int k = 0; k < b.size; k++) {
          int r = Integer.parseInt(b.fields[0][k]);
          assertEquals(seen, r);
          assertEquals(String.valueOf(2 * r), b.fields[1][k]);
          assertEquals(2 + r + r / 1000, b.lines[k], "line of record " + r);
          seen++;
        }
      }
    }
    assertEquals(n, seen);
  }

  @Test
  void aBadRecordFailsAfterEveryRecordBeforeIt() throws IOException {
    Path p = file(10_000, "1,2,3\n4,5\n");
    CsvReader csv = new CsvReader(p, ',');
    csv.next();
    int[] seen = {0};
    try (csv;
        RecordPipe pipe = new RecordPipe(csv, p, 2, "a,b")) {
      DatasetException e =
          assertThrows(
              DatasetException.class,
              () -> {
                for (RecordPipe.Batch b = pipe.next(null); b != null; b = pipe.next(b)) {
                  seen[0] += b.size;
                }
              });
      assertTrue(
          e.getMessage().contains("records.csv:10012: expected 2 fields (a,b), found 3"),
          e.getMessage());
    }
    assertEquals(10_000, seen[0]);
  }

  @Test
  @Timeout(20)
  void closingEarlyStopsTheReader() throws IOException {
    // The reader is blocked on a full queue after the first batches; close() must stop it and
    // return (a reader that ignored the request would hang here until the timeout fails the test).
    Path p = file(100_000, "");
    CsvReader csv = new CsvReader(p, ',');
    csv.next();
    try (csv) {
      RecordPipe pipe = new RecordPipe(csv, p, 2, "a,b");
      assertEquals(RecordPipe.BATCH, pipe.next(null).size);
      pipe.close();
    }
  }
}
