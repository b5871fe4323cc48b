package org.sbcnm.datasets.prepared;

import java.io.IOException;

/** Bad input data; the message names the file, line and field and what was expected. */
public class DatasetException extends IOException {
  private static final long serialVersionUID = 1L;

  public DatasetException(String message) {
    super(message);
  }

  public DatasetException(String message, Throwable cause) {
    super(message, cause);
  }
}
