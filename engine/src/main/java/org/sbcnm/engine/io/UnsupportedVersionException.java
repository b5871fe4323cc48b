package org.sbcnm.engine.io;

/** A versioned file whose version this build does not read. */
public final class UnsupportedVersionException extends FormatException {
  private static final long serialVersionUID = 1L;
  private final int version;

  public UnsupportedVersionException(String message, int version) {
    super(message);
    this.version = version;
  }

  /** The version found in the file. */
  public int version() {
    return version;
  }
}
