/**
 * The prepared-dataset layout (q_feats.npy, i_feats.npy, idmaps, interactions.csv and the optional
 * side fields and item graph): reader, writer, and the CSV parsing they share. Every error names
 * the file, line and field.
 */
package org.sbcnm.datasets.prepared;
