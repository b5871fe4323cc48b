package org.sbcnm.training.cli;

import java.io.PrintStream;
import java.util.Locale;

/**
 * A one-line progress display on a terminal ("train 42% 1234/2940 steps 812 steps/s ETA 0:02"),
 * redrawn at most every 200 ms; silent when stderr is not a terminal or when quiet.
 */
final class Progress {
  private final PrintStream out;
  private final boolean enabled;
  private final String label;
  private final long start = System.nanoTime();
  private long lastDraw;

  Progress(String label, boolean quiet) {
    this.out = System.err;
    this.enabled = !quiet && System.console() != null;
    this.label = label;
  }

  void update(long done, long total, String extra) {
    if (!enabled) {
      return;
    }
    long now = System.nanoTime();
    if (now - lastDraw < 200_000_000L && done < total) {
      return;
    }
    lastDraw = now;
    double seconds = (now - start) / 1e9;
    double rate = done / Math.max(1e-9, seconds);
    long eta = rate > 0 ? (long) ((total - done) / rate) : 0;
    out.printf(
        Locale.ROOT,
        "\r%s %3d%% %d/%d  %.0f/s  ETA %d:%02d  %s   ",
        label,
        total == 0 ? 100 : (int) (100 * done / total),
        done,
        total,
        rate,
        eta / 60,
        eta % 60,
        extra);
    if (done >= total) {
      out.print('\n');
    }
    out.flush();
  }

  void done() {
    if (enabled) {
      out.print("\r\033[K");
      out.flush();
    }
  }
}
