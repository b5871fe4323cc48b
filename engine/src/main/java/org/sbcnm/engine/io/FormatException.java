package org.sbcnm.engine.io;

import java.io.IOException;

/** A file that is not in the expected format; the message names the file and what was expected. */
public class FormatException extends IOException {
  private static final long serialVersionUID = 1L;

  public FormatException(String message) {
    super(message);
  }
}
