/**
 * Towers and the two-tower model: {@link org.sbcnm.towers.tower.Tower} maps a batch of users or
 * items to L2-normalised embeddings; {@link org.sbcnm.towers.tower.TwoTowerModel} pairs a query and
 * an item tower and saves and loads them.
 */
package org.sbcnm.towers.tower;
