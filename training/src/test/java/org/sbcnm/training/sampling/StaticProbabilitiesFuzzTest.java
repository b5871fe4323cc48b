package org.sbcnm.training.sampling;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import org.sbcnm.datasets.prepared.DatasetException;
import org.sbcnm.datasets.prepared.IdMap;
import org.sbcnm.engine.io.FormatException;
import org.sbcnm.engine.testing.ReaderContract;

/**
 * {@link StaticProbabilities#read} on any bytes: probabilities with a finite log for every item, or
 * a typed error. Regression inputs live in {@code StaticProbabilitiesFuzzTestInputs/read/}.
 */
class StaticProbabilitiesFuzzTest {
  private static final IdMap ITEMS = new IdMap(new String[] {"a", "b", "c", "d"});

  private static final ReaderContract CONTRACT =
      new ReaderContract(
          f -> {
            StaticProbabilities p = StaticProbabilities.read(f, ITEMS);
            for (int j = 0; j < ITEMS.size(); j++) {
              double lp = p.logProbability(j);
              assertTrue(lp <= 0 && Double.isFinite(lp), "log p of " + j + " = " + lp);
            }
          },
          DatasetException.class,
          FormatException.class);

  @FuzzTest
  void read(FuzzedDataProvider input) throws IOException {
    CONTRACT.check(input.consumeRemainingAsBytes());
  }
}
