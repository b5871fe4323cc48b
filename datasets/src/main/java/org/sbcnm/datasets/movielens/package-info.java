/** MovieLens 100K reading and preparation. */
package org.sbcnm.datasets.movielens;
