package org.sbcnm.engine.tensor;

import java.util.Arrays;

/**
 * A reusable {@code rows × cols} bit matrix, e.g. the accidental-hit mask of a batch softmax (bit
 * (i, j) set = column j is left out of row i's softmax). {@link #reset} reshapes it without
 * allocating when the capacity suffices.
 */
public final class BitMatrix {
  private long[] words = new long[0];
  private int rows;
  private int cols;
  private int wordsPerRow;

  public BitMatrix() {}

  public BitMatrix(int rows, int cols) {
    reset(rows, cols);
  }

  /** Clears every bit and sets the shape. Modifies this matrix. */
  public BitMatrix reset(int rows, int cols) {
    if (rows < 0 || cols < 0) {
      throw new IllegalArgumentException("BitMatrix: bad shape [" + rows + ", " + cols + "]");
    }
    this.rows = rows;
    this.cols = cols;
    this.wordsPerRow = (cols + 63) >>> 6;
    int n = rows * wordsPerRow;
    if (words.length < n) {
      words = new long[n];
    } else {
      Arrays.fill(words, 0, n, 0L);
    }
    return this;
  }

  public int rows() {
    return rows;
  }

  public int cols() {
    return cols;
  }

  public void set(int i, int j) {
    check(i, j);
    words[i * wordsPerRow + (j >>> 6)] |= 1L << j;
  }

  public boolean get(int i, int j) {
    check(i, j);
    return (words[i * wordsPerRow + (j >>> 6)] & (1L << j)) != 0;
  }

  /** True when row i has no set bit. */
  public boolean rowIsEmpty(int i) {
    for (int w = 0; w < wordsPerRow; w++) {
      if (words[i * wordsPerRow + w] != 0) {
        return false;
      }
    }
    return true;
  }

  /** Number of set bits in row i. */
  public int rowCount(int i) {
    int c = 0;
    for (int w = 0; w < wordsPerRow; w++) {
      c += Long.bitCount(words[i * wordsPerRow + w]);
    }
    return c;
  }

  private void check(int i, int j) {
    if (i < 0 || i >= rows || j < 0 || j >= cols) {
      throw new IndexOutOfBoundsException(
          "(" + i + ", " + j + ") outside [" + rows + ", " + cols + "]");
    }
  }
}
