package org.sbcnm.training.sampling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sbcnm.datasets.prepared.DatasetException;
import org.sbcnm.datasets.prepared.IdMap;

/** The static-probability file ({@code --probabilities}): known answers, each error located. */
class StaticProbabilitiesFileTest {
  private static final IdMap ITEMS = new IdMap(new String[] {"a", "b", "c", "d"});
  @TempDir Path dir;

  private Path csv(String text) throws IOException {
    return Files.writeString(dir.resolve("p.csv"), text);
  }

  @Test
  void readsWeightsByRawIdWithTheFloorForUnlisted() throws IOException {
    StaticProbabilities p =
        StaticProbabilities.read(csv("item_id,probability\nc,3\na,6\nd,1\n"), ITEMS);
    // Weights 6, 0, 3, 1 over a sum of 10; b is unlisted and gets the floor, d's 0.1.
    assertEquals(Math.log(0.6), p.logProbability(0), 1e-12);
    assertEquals(Math.log(0.1), p.logProbability(1), 1e-12);
    assertEquals(Math.log(0.3), p.logProbability(2), 1e-12);
    assertEquals(Math.log(0.1), p.logProbability(3), 1e-12);
  }

  @Test
  void everyErrorNamesTheFileAndLine() throws IOException {
    String[][] cases = {
      {"", ":1: expected the header item_id,probability"},
      {"item_id,probability\na,1,2\n", ":2: expected 2 fields"},
      {"item_id,probability\nzz,1\n", ":2: item_id 'zz' is not in the dataset"},
      {"item_id,probability\na,1\na,2\n", ":3: item_id 'a' appears twice"},
      {"item_id,probability\na,-1\n", ":2: field probability: expected a finite number >= 0"},
      {"item_id,probability\na,NaN\n", ":2: field probability"},
      {"item_id,probability\na,Infinity\n", ":2: field probability"},
      {"item_id,probability\na,lots\n", ":2: field probability"},
      {"item_id,probability\na,0\n", ": the probabilities sum to 0.0, expected > 0"},
      {"item_id,probability\na,1e308\nb,1e308\n", ": the probabilities sum to Infinity"},
    };
    for (String[] c : cases) {
      Path f = csv(c[0]);
      DatasetException e =
          assertThrows(DatasetException.class, () -> StaticProbabilities.read(f, ITEMS), c[0]);
      assertTrue(e.getMessage().startsWith(f + c[1]), e.getMessage());
    }
  }
}
