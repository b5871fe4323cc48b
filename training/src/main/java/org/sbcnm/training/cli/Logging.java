package org.sbcnm.training.cli;

/** Routes slf4j-simple to stderr at info level (warn with --quiet, debug with --verbose). */
final class Logging {
  /** Held strongly: java.util.logging forgets the level of a logger nobody references. */
  private static final java.util.logging.Logger LUCENE =
      java.util.logging.Logger.getLogger("org.apache.lucene");

  private Logging() {}

  static void configure(String[] args) {
    String level = "info";
    for (String a : args) {
      if (a.equals("--quiet")) {
        level = "warn";
      } else if (a.equals("--verbose")) {
        level = "debug";
      }
    }
    setIfAbsent("org.slf4j.simpleLogger.defaultLogLevel", level);
    setIfAbsent("org.slf4j.simpleLogger.logFile", "System.err");
    setIfAbsent("org.slf4j.simpleLogger.showThreadName", "false");
    setIfAbsent("org.slf4j.simpleLogger.showShortLogName", "true");
    setIfAbsent("org.slf4j.simpleLogger.showDateTime", "false");
    // Lucene logs through java.util.logging that its own SIMD module is off; ours is what counts.
    LUCENE.setLevel(java.util.logging.Level.SEVERE);
  }

  private static void setIfAbsent(String key, String value) {
    if (System.getProperty(key) == null) {
      System.setProperty(key, value);
    }
  }
}
