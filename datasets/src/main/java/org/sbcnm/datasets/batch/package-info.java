/**
 * Training batches: the seeded shuffle, the batch assembler (queries and their history bags, item
 * columns with uniform extra negatives, log q of every column, row weights) and the reusable batch
 * it fills.
 */
package org.sbcnm.datasets.batch;
