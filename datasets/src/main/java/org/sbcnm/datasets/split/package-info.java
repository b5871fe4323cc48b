/**
 * The held-out split of {@code shared/FORMAT.md}: each user's last interaction is the test item.
 */
package org.sbcnm.datasets.split;
