package org.sbcnm.datasets.prepared;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sbcnm.datasets.split.HeldOutSplit;
import org.sbcnm.datasets.synthetic.SyntheticConfig;
import org.sbcnm.datasets.synthetic.SyntheticGenerator;
import org.sbcnm.engine.io.Npy;
import org.sbcnm.engine.tensor.Tensor;

/**
 * The prepared layout: round trip, the split rule, and a clear error for each kind of bad input.
 */
class PreparedDatasetTest {
  @TempDir Path dir;

  private Path write(PreparedDataset d) throws IOException {
    Path p = dir.resolve("ds");
    d.writeAtomically(p);
    return p;
  }

  private static PreparedDataset tiny() {
    return SyntheticGenerator.generate(SyntheticConfig.preset("tiny", 5));
  }

  @Test
  void roundTripsAndChecksums() throws IOException {
    PreparedDataset d = tiny();
    Path p = write(d);
    PreparedDataset back = PreparedDataset.read(p, false);
    assertEquals(d.numUsers(), back.numUsers());
    assertEquals(d.numItems(), back.numItems());
    assertEquals(d.interactions().size(), back.interactions().size());
    assertArrayEquals(d.queryFeatures().floats(), back.queryFeatures().floats());
    assertArrayEquals(d.interactions().items(), back.interactions().items());
    assertEquals(d.querySide().fields(), back.querySide().fields());
    assertEquals(d.itemEdges().size(), back.itemEdges().size());
    assertEquals(64, back.checksum().length());
    assertEquals(back.checksum(), PreparedDataset.read(p, false).checksum());
    assertTrue(d.users().rawId(0).startsWith("u"));
  }

  @Test
  void heldOutSplitTakesTheLastByTimeWithTiesToTheLaterLine() {
    IdMap users = new IdMap(new String[] {"a", "b", "c"});
    Interactions all =
        new Interactions(
            new int[] {0, 0, 0, 1, 2, 2},
            new int[] {5, 6, 7, 1, 2, 3},
            new float[] {1, 1, 1, 1, 1, 1},
            new long[] {30, 10, 30, 5, 1, 2});
    HeldOutSplit s = HeldOutSplit.of(all, users.size());
    assertArrayEquals(new int[] {0, 2}, s.testUsers());
    assertArrayEquals(new int[] {7, 3}, s.testItems());
    assertEquals(4, s.train().size());
    assertArrayEquals(
        new int[] {5, 6},
        java.util.Arrays.copyOfRange(s.userTrainItems(), s.userTrainPtr()[0], s.userTrainPtr()[1]));
  }

  @Test
  void unknownIdsAreCountedOrSkippedOnRequest() throws IOException {
    Path p = write(tiny());
    Path inter = p.resolve("interactions.csv");
    Files.writeString(inter, Files.readString(inter) + "ghost,i1,1,5\nu1,nothing,1,6\n");
    DatasetException e = assertThrows(DatasetException.class, () -> PreparedDataset.read(p, false));
    assertTrue(
        e.getMessage().contains("2 interaction(s)")
            && e.getMessage().contains("user_id 'ghost'")
            && e.getMessage().contains("item_id 'nothing'"),
        e.getMessage());
    PreparedDataset skipped = PreparedDataset.read(p, true);
    assertEquals(tiny().interactions().size(), skipped.interactions().size());
  }

  @Test
  void everyBadInputNamesFileLineAndField() throws IOException {
    Path p = write(tiny());
    Path inter = p.resolve("interactions.csv");
    String good = Files.readString(inter);
    String firstUser = good.split("\n")[1].split(",")[0];
    String firstItem = good.split("\n")[1].split(",")[1];

    Files.writeString(inter, good + firstUser + "," + firstItem + ",1\n");
    assertMessage(p, "interactions.csv:" + (good.split("\n").length + 1) + ": expected 4 fields");

    Files.writeString(inter, good + firstUser + "," + firstItem + ",five,7\n");
    assertMessage(p, "field rating: expected a number, found 'five'");

    Files.writeString(inter, good + firstUser + "," + firstItem + ",1,yesterday\n");
    assertMessage(p, "field timestamp: expected a whole number");

    Files.writeString(inter, "user,item,rating,timestamp\n");
    assertMessage(p, "expected the header 'user_id,item_id,rating,timestamp'");
    Files.writeString(inter, good);

    Tensor q = Npy.readFloat32(p.resolve("q_feats.npy"));
    q.set(3, 2, Float.NaN);
    Npy.write(p.resolve("q_feats.npy"), q);
    assertMessage(p, "q_feats.npy: row 3, column 2 is NaN");
    q.set(3, 2, 0);
    Npy.write(p.resolve("q_feats.npy"), q.rowRange(0, q.rows() - 1).copy());
    assertMessage(p, "rows but");

    Npy.write(p.resolve("q_feats.npy"), Tensor.zeros(tiny().numUsers(), 2));
    Files.writeString(p.resolve("i_idmap.csv"), "raw_id,index\ni1,0\ni2,0\n");
    assertMessage(p, "index 0 is given twice");

    Files.delete(p.resolve("i_idmap.csv"));
    assertMessage(p, "i_idmap.csv: required file is missing");
  }

  @Test
  void quotedAndCrlfCsv() throws IOException {
    Path f = dir.resolve("q.csv");
    Files.write(
        f,
        "a;b;c\r\n\"x;1\";\"say \"\"hi\"\"\";3\r\nplain;\"multi\nline\";4\r\n"
            .getBytes(StandardCharsets.UTF_8));
    try (CsvReader r = new CsvReader(f, ';')) {
      assertEquals(java.util.List.of("a", "b", "c"), r.next());
      assertEquals(java.util.List.of("x;1", "say \"hi\"", "3"), r.next());
      assertEquals(2, r.line());
      assertEquals(java.util.List.of("plain", "multi\nline", "4"), r.next());
      assertEquals(3, r.line());
      assertEquals(null, r.next());
    }
    Files.write(f, "a,\"open\n".getBytes(StandardCharsets.UTF_8));
    try (CsvReader r = new CsvReader(f, ',')) {
      DatasetException e = assertThrows(DatasetException.class, r::next);
      assertTrue(e.getMessage().contains("unterminated"), e.getMessage());
    }
    Files.write(f, new byte[] {'a', ',', (byte) 0xff, '\n'});
    try (CsvReader r = new CsvReader(f, ',')) {
      assertTrue(assertThrows(DatasetException.class, r::next).getMessage().contains("UTF-8"));
    }
  }

  @Test
  void graphKeepsTheLargestWeightPerPair() {
    ItemEdges e =
        new ItemEdges(new int[] {0, 1, 2, 2}, new int[] {1, 0, 2, 0}, new double[] {3, 5, 9, 1});
    org.sbcnm.engine.sparse.CsrMatrix a = e.adjacency(3);
    assertEquals(5, a.get(0, 1));
    assertEquals(5, a.get(1, 0));
    assertEquals(1, a.get(2, 0));
    assertEquals(0, a.get(2, 2));
  }

  @Test
  void generatorIsSeededAndSkewed() {
    PreparedDataset a = SyntheticGenerator.generate(SyntheticConfig.preset("tiny", 9));
    PreparedDataset b = SyntheticGenerator.generate(SyntheticConfig.preset("tiny", 9));
    PreparedDataset c = SyntheticGenerator.generate(SyntheticConfig.preset("tiny", 10));
    assertArrayEquals(a.interactions().items(), b.interactions().items());
    assertNotEquals(
        java.util.Arrays.toString(a.interactions().items()),
        java.util.Arrays.toString(c.interactions().items()));
    long[] counts = a.interactions().itemCounts(a.numItems());
    long max = java.util.Arrays.stream(counts).max().orElseThrow();
    double mean = (double) a.interactions().size() / a.numItems();
    assertTrue(max > 3 * mean, "power-law popularity: max " + max + " vs mean " + mean);
    long[] ts = a.interactions().timestamps();
    for (int k = 1; k < ts.length; k++) {
      assertTrue(ts[k] >= ts[k - 1], "file sorted by time");
    }
  }

  @Test
  void generatorGivesTheSameBitsForTheSameSeed() throws IOException {
    // The known answer of seed 9's tiny preset at make_synth.py's taste temperature: every feature,
    // id, interaction and edge, pinned as the written dataset's checksum (same seed, same bits,
    // across JDKs and kernels).
    SyntheticConfig tiny = SyntheticConfig.preset("tiny", 9);
    assertEquals(0.1, tiny.affinityTemperature());
    PreparedDataset a = SyntheticGenerator.generate(tiny.withPopularity(1.1, 1.0, 0.3));
    a.write(dir.resolve("tiny9"));
    assertEquals(
        "24d504ea739cb4e46469a0c5c3d2f8fbaccb0873dd868a482786ba2cc3c8976e",
        PreparedDataset.read(dir.resolve("tiny9"), false).checksum());
    assertEquals(300, a.numUsers());
    assertEquals(120, a.numItems());
    assertEquals(8, a.queryFeatures().cols());
    assertEquals(8, a.itemFeatures().cols());
  }

  @Test
  void generatorConfigRefusesOutOfRangeValues() {
    assertThrows(
        IllegalArgumentException.class,
        () -> new SyntheticConfig(0, 120, 8, 8, 10, 1.1, 1.0, 0.3, 0.5, 5, 1));
    assertThrows(
        IllegalArgumentException.class,
        () -> new SyntheticConfig(10, 1, 8, 8, 10, 1.1, 1.0, 0.3, 0.5, 5, 1));
    assertThrows(
        IllegalArgumentException.class,
        () -> new SyntheticConfig(10, 12, 8, 8, 1, 1.1, 1.0, 0.3, 0.5, 5, 1));
    assertThrows(
        IllegalArgumentException.class,
        () -> new SyntheticConfig(10, 12, 8, 8, 10, -1, 1.0, 0.3, 0.5, 5, 1));
    assertThrows(
        IllegalArgumentException.class,
        () -> new SyntheticConfig(10, 12, 8, 8, 10, 1.1, 1.0, 0, 0.5, 5, 1));
    assertThrows(IllegalArgumentException.class, () -> SyntheticConfig.preset("huge", 1));
    assertEquals(50_000, SyntheticConfig.preset("bench", 1).items());
    assertEquals(2000, SyntheticConfig.preset("Small", 1).items());
  }

  private static void assertMessage(Path p, String fragment) {
    DatasetException e = assertThrows(DatasetException.class, () -> PreparedDataset.read(p, false));
    assertTrue(
        e.getMessage().contains(fragment), "expected '" + fragment + "' in: " + e.getMessage());
  }
}
