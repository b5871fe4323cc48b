package org.sbcnm.datasets.prepared;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * Parses the records of a CSV file on a second thread, in batches, while the caller converts the
 * previous batch (id lookups, numbers, checks), so the two overlap when a large interactions file
 * is read. Records come out in file order with their line numbers; a parse error arrives after
 * every record before it, so the first error reported is the same as in a sequential read. Blank
 * lines are skipped; every other record must have {@code fieldCount} fields.
 */
final class RecordPipe implements AutoCloseable {
  /** Records per batch. */
  static final int BATCH = 4096;

  private static final int BATCHES = 4;

  /** A batch of records: field f of record r is {@code fields[f][r]}. */
  static final class Batch {
    final String[][] fields;
    final long[] lines = new long[BATCH];
    int size;
    IOException error;
    boolean last;

    Batch(int fieldCount) {
      fields = new String[fieldCount][BATCH];
    }
  }

  private final BlockingQueue<Batch> free = new ArrayBlockingQueue<>(BATCHES);
  private final BlockingQueue<Batch> full = new ArrayBlockingQueue<>(BATCHES);
  private final Thread producer;
  private boolean done;

  /** Starts reading {@code csv} (positioned after its header) on a daemon thread. */
  RecordPipe(CsvReader csv, Path file, int fieldCount, String expected) {
    for (int i = 0; i < BATCHES; i++) {
      free.add(new Batch(fieldCount));
    }
    producer =
        new Thread(
            () -> produce(csv, file, fieldCount, expected), "sbcnm-csv-" + file.getFileName());
    producer.setDaemon(true);
    producer.start();
  }

  private void produce(CsvReader csv, Path file, int fieldCount, String expected) {
    try {
      while (true) {
        Batch b = free.take();
        b.size = 0;
        b.error = null;
        b.last = false;
        try {
          List<String> f;
          while (b.size < BATCH && (f = csv.next()) != null) {
            if (f.size() == 1 && f.get(0).isEmpty()) {
              continue;
            }
            if (f.size() != fieldCount) {
              throw new DatasetException(
                  file
                      + ":"
                      + csv.line()
                      + ": expected "
                      + fieldCount
                      + " fields ("
                      + expected
                      + "), found "
                      + f.size());
            }
            for (int k = 0; k < fieldCount; k++) {
              b.fields[k][b.size] = f.get(k);
            }
            b.lines[b.size++] = csv.line();
          }
          b.last = b.size < BATCH;
        } catch (IOException e) {
          b.error = e;
          b.last = true;
        }
        full.put(b);
        if (b.last) {
          return;
        }
      }
    } catch (InterruptedException e) {
      // Closed by the consumer before the end: stop quietly.
    }
  }

  /**
   * The next batch, or null after the last; throws the parse error that ended the file once the
   * records before it have been handed out.
   */
  Batch next(Batch previous) throws IOException {
    if (previous != null) {
      if (previous.error != null) {
        throw previous.error;
      }
      if (previous.last) {
        done = true;
        return null;
      }
      free.add(previous);
    }
    if (done) {
      return null;
    }
    try {
      return full.take();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while reading records");
    }
  }

  /** Stops the reading thread (if still running) and waits for it. */
  @Override
  public void close() {
    producer.interrupt();
    try {
      producer.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
