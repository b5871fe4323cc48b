/** Item graphs (co-occurrence) built from training interactions. */
package org.sbcnm.datasets.graph;
