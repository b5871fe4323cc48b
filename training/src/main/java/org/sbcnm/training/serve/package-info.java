/**
 * Serving: a loaded model that answers top-K queries ({@link
 * org.sbcnm.training.serve.ServingModel}) and an HTTP service around it on the JDK's built-in
 * server, with hot reload and Prometheus metrics ({@link
 * org.sbcnm.training.serve.RetrievalServer}).
 */
package org.sbcnm.training.serve;
