package org.sbcnm.training.sampling;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.sbcnm.datasets.prepared.CsvReader;
import org.sbcnm.datasets.prepared.DatasetException;
import org.sbcnm.datasets.prepared.IdMap;
import org.sbcnm.engine.io.TensorBundle;

/**
 * Fixed sampling probabilities given by the user (e.g. from a file of item frequencies): p̂ⱼ is
 * {@code p[j]} normalised to sum to 1; batches do not change it. An item of weight 0 gets the
 * smallest positive weight's probability (the floor of {@link SamplingProbabilities}).
 */
public final class StaticProbabilities implements SamplingProbabilities {
  private final double[] logP;

  /**
   * @param p non-negative weights per item index, at least one positive (not modified)
   */
  public StaticProbabilities(double[] p) {
    double sum = 0;
    double smallest = Double.POSITIVE_INFINITY;
    for (int j = 0; j < p.length; j++) {
      if (!(p[j] >= 0) || Double.isInfinite(p[j])) {
        throw new IllegalArgumentException(
            "static probabilities: item " + j + " has weight " + p[j]);
      }
      sum += p[j];
      if (p[j] > 0) {
        smallest = Math.min(smallest, p[j]);
      }
    }
    if (!(sum > 0)) {
      throw new IllegalArgumentException("static probabilities: weights sum to " + sum);
    }
    logP = new double[p.length];
    for (int j = 0; j < p.length; j++) {
      logP[j] = Math.log((p[j] > 0 ? p[j] : smallest) / sum);
    }
  }

  /**
   * Reads weights from a CSV with the header {@code item_id,probability}: one line per item of
   * {@code items} named by its raw id (items not listed weigh 0), each weight finite and
   * non-negative, no item twice, at least one positive.
   *
   * @throws DatasetException naming the file, the line and what was expected
   */
  public static StaticProbabilities read(Path file, IdMap items) throws IOException {
    double[] p = new double[items.size()];
    boolean[] seen = new boolean[items.size()];
    try (CsvReader csv = new CsvReader(file, ',')) {
      List<String> row = csv.next();
      if (row == null || row.size() != 2) {
        throw new DatasetException(file + ":1: expected the header item_id,probability");
      }
      while ((row = csv.next()) != null) {
        String where = file + ":" + csv.line() + ": ";
        if (row.size() != 2) {
          throw new DatasetException(where + "expected 2 fields (item_id,probability)");
        }
        int item = items.indexOf(row.get(0));
        if (item < 0) {
          throw new DatasetException(where + "item_id '" + row.get(0) + "' is not in the dataset");
        }
        if (seen[item]) {
          throw new DatasetException(where + "item_id '" + row.get(0) + "' appears twice");
        }
        seen[item] = true;
        double w;
        try {
          w = Double.parseDouble(row.get(1).trim());
        } catch (NumberFormatException e) {
          w = Double.NaN;
        }
        if (!(w >= 0) || Double.isInfinite(w)) {
          throw new DatasetException(
              where
                  + "field probability: expected a finite number >= 0, found '"
                  + row.get(1)
                  + "'");
        }
        p[item] = w;
      }
    }
    double sum = 0;
    for (double w : p) {
      sum += w;
    }
    if (!(sum > 0) || Double.isInfinite(sum)) {
      throw new DatasetException(file + ": the probabilities sum to " + sum + ", expected > 0");
    }
    return new StaticProbabilities(p);
  }

  @Override
  public String name() {
    return "static";
  }

  @Override
  public void observe(int[] items, int n, float[] out) {
    for (int i = 0; i < n; i++) {
      out[i] = (float) logP[items[i]];
    }
  }

  @Override
  public double logProbability(int item) {
    return logP[item];
  }

  @Override
  public void save(TensorBundle bundle, String prefix) {
    bundle.meta(prefix + "kind", name());
    bundle.putDoubles(prefix + "logP", logP);
  }

  /** Static probabilities come from a file of the new data's items, not from the old run. */
  @Override
  public SamplingProbabilities carriedTo(int[] oldIndex) {
    throw new UnsupportedOperationException(
        "static probabilities are read from --probabilities for each dataset, not carried over");
  }

  @Override
  public void load(TensorBundle bundle, String prefix) {
    double[] saved = bundle.doubles(prefix + "logP");
    if (saved.length != logP.length) {
      throw new IllegalArgumentException(
          "static probabilities: saved for " + saved.length + " items, not " + logP.length);
    }
    System.arraycopy(saved, 0, logP, 0, saved.length);
  }
}
