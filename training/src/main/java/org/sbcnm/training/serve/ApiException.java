package org.sbcnm.training.serve;

/** A request the service refuses: the HTTP status (4xx) and the reason given to the client. */
final class ApiException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final int status;

  ApiException(int status, String message) {
    super(message, null, false, false);
    this.status = status;
  }

  int status() {
    return status;
  }
}
