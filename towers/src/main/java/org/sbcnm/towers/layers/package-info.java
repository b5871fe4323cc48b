/**
 * Layers built from engine ops: {@link org.sbcnm.towers.layers.Linear}, {@link
 * org.sbcnm.towers.layers.Mlp}, {@link org.sbcnm.towers.layers.CrossNetwork}, {@link
 * org.sbcnm.towers.layers.GcnPropagation}, {@link org.sbcnm.towers.layers.EmbeddingTable} (with a
 * hashed-bucket mode) and mean-pooled bags of ids.
 */
package org.sbcnm.towers.layers;
