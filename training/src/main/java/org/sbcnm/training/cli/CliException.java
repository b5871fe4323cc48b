package org.sbcnm.training.cli;

/** Bad command-line input; the message is shown as is and the exit code is 2. */
final class CliException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  CliException(String message) {
    super(message);
  }
}
