package org.sbcnm.training.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sbcnm.engine.io.WriterLock;
import org.sbcnm.training.cli.CliTest.Result;

/**
 * No run destroys data: one writer per checkpoint, whole-folder outputs that never mix two runs,
 * and every refusal a one-line error with exit 2.
 */
class ReliabilityTest {
  @TempDir static Path shared;
  @TempDir Path dir;
  static Path data;

  @BeforeAll
  static void prepare() {
    data = shared.resolve("tiny");
    Result prep =
        CliTest.run(
            "prep", "synthetic", "--preset", "tiny", "--seed", "3", "--out", data.toString());
    assertEquals(0, prep.code(), prep.err());
  }

  /** {@code train} with the small test settings and {@code args}. */
  static Result train(String... args) {
    return CliTest.run(CliTest.with(CliTest.SMALL, with("train", args)));
  }

  private static String[] with(String first, String[] rest) {
    String[] all = new String[rest.length + 1];
    all[0] = first;
    System.arraycopy(rest, 0, all, 1, rest.length);
    return all;
  }

  static void assertOneLineError(Result r, String... parts) {
    assertEquals(2, r.code(), r.out() + r.err());
    assertEquals(1, r.err().strip().lines().count(), r.err());
    for (String part : parts) {
      assertTrue(r.err().contains(part), "expected '" + part + "' in " + r.err());
    }
  }

  @Test
  void aSecondWriterOfOneCheckpointIsRefused() throws IOException {
    Path ckpt = dir.resolve("m.sbcnm");
    try (WriterLock held = WriterLock.acquire(ckpt)) {
      Result r = train("--data", data.toString(), "--save_path", ckpt.toString());
      assertOneLineError(
          r, ckpt.toString(), "another run", "process " + ProcessHandle.current().pid());
      assertFalse(Files.exists(ckpt));
    }
    Result after = train("--data", data.toString(), "--save_path", ckpt.toString());
    assertEquals(0, after.code(), after.err());
    assertTrue(Files.exists(ckpt));
  }

  @Test
  void prepRefusesANonEmptyFolderAndReplacesItWholeOnOverwrite() throws IOException {
    Path out = dir.resolve("prepared");
    Files.createDirectories(out);
    Files.writeString(out.resolve("stale_side.npy"), "stale file of an older dataset");
    Result refused = CliTest.run("prep", "synthetic", "--preset", "tiny", "--out", out.toString());
    assertOneLineError(refused, "--out", out.toString(), "--overwrite");
    assertEquals("stale file of an older dataset", Files.readString(out.resolve("stale_side.npy")));

    Result replaced =
        CliTest.run(
            "prep", "synthetic", "--preset", "tiny", "--out", out.toString(), "--overwrite");
    assertEquals(0, replaced.code(), replaced.err());
    assertFalse(Files.exists(out.resolve("stale_side.npy")), "an old file survived the rewrite");
    assertTrue(Files.exists(out.resolve("interactions.csv")));
    try (var siblings = Files.list(dir)) {
      assertEquals(1, siblings.count(), "a temporary folder was left beside the output");
    }
  }

  @Test
  void overwriteRefusesAFolderThatHoldsAnInput() throws IOException {
    Path csv = dir.resolve("ratings.csv");
    Files.writeString(csv, "user_id,item_id\nu1,a\nu1,b\nu2,a\nu2,b\nu3,a\nu3,b\n");
    Result r =
        CliTest.run(
            "prep",
            "csv",
            "--interactions",
            csv.toString(),
            "--out",
            dir.toString(),
            "--overwrite");
    assertOneLineError(r, "--out", "holds this command's input");
    assertTrue(Files.exists(csv));
  }

  @Test
  void exportReplacesAnEarlierExportButRefusesOtherFiles() throws IOException {
    Path ckpt = dir.resolve("m.sbcnm");
    assertEquals(0, train("--data", data.toString(), "--save_path", ckpt.toString()).code());
    Path out = dir.resolve("index");
    String[] export = {
      "export", "--data", data.toString(), "--ckpt", ckpt.toString(), "--out", out.toString()
    };
    assertEquals(0, CliTest.run(export).code());
    Result again = CliTest.run(export);
    assertEquals(0, again.code(), again.err());

    Files.writeString(out.resolve("notes.txt"), "mine");
    assertOneLineError(CliTest.run(export), "--out", "--overwrite");
    assertEquals("mine", Files.readString(out.resolve("notes.txt")));
  }

  /** A copy of the tiny dataset in {@code dir}, to damage. */
  private Path copyOfData(String name) throws IOException {
    Path copy = dir.resolve(name);
    Files.createDirectories(copy);
    try (var files = Files.list(data)) {
      for (Path f : (Iterable<Path>) files::iterator) {
        Files.copy(f, copy.resolve(f.getFileName()));
      }
    }
    return copy;
  }

  @Test
  void aHugeCategoricalCodeIsRefusedBeforeAllocatingNamingTheFile() throws IOException {
    Path bad = copyOfData("bomb");
    Path side = bad.resolve("q_side_cat.npy");
    org.sbcnm.engine.io.NpyArray a = org.sbcnm.engine.io.Npy.read(side);
    int[] codes = a.toInts();
    codes[0] = 50_000_000;
    org.sbcnm.engine.io.Npy.writeInts(side, codes, a.rows(), a.cols());
    Result r =
        train(
            "--data",
            bad.toString(),
            "--query_tower",
            "id",
            "--save_path",
            dir.resolve("m.sbcnm").toString());
    assertOneLineError(r, "q_side_cat.npy column 0", "50000001 x", "would need", "GiB");
    assertFalse(Files.exists(dir.resolve("m.sbcnm")));
  }

  @Test
  void alphaOfOneIsRefusedUpFront() {
    Result r =
        train(
            "--data",
            data.toString(),
            "--alpha",
            "1",
            "--save_path",
            dir.resolve("m.sbcnm").toString());
    assertOneLineError(r, "alpha must be in (0, 1)", "got 1.0");
  }

  @Test
  void aFlagErrorIsTheReasonAndOneLinePointingAtHelp() {
    Result r = CliTest.run("train", "--epochs", "notanumber");
    assertEquals(2, r.code());
    List<String> lines = r.err().strip().lines().collect(Collectors.toList());
    assertEquals(2, lines.size(), r.err());
    assertTrue(lines.get(0).contains("--epochs") && lines.get(0).contains("notanumber"), r.err());
    assertEquals("Try 'sbcnm-train train --help' for the options.", lines.get(1));
    assertEquals("", r.out());
  }

  @Test
  void everyOptionOfEveryCommandHasADescriptionAndShowsItsDefault() {
    picocli.CommandLine root = new picocli.CommandLine(new Main());
    List<String> undocumented = new ArrayList<>();
    List<picocli.CommandLine> commands = new ArrayList<>(List.of(root));
    for (int c = 0; c < commands.size(); c++) {
      picocli.CommandLine cmd = commands.get(c);
      commands.addAll(cmd.getSubcommands().values());
      for (picocli.CommandLine.Model.OptionSpec o : cmd.getCommandSpec().options()) {
        if (String.join("", o.description()).isBlank()) {
          undocumented.add(cmd.getCommandSpec().qualifiedName() + " " + o.longestName());
        }
      }
    }
    assertEquals(List.of(), undocumented);
    Result help = CliTest.run("train", "--help");
    assertEquals(0, help.code());
    for (String shown :
        new String[] {
          "--epochs",
          "--batch_size",
          "--temperature",
          "--alpha",
          "--hash_buckets",
          "--hashes",
          "--hard_negatives",
          "--history_length",
          "--seed",
          "--save_path"
        }) {
      String line =
          help.out()
              .lines()
              .filter(l -> l.contains(shown + "=") && !l.contains("[" + shown + "="))
              .findFirst()
              .orElse("missing " + shown);
      String rest =
          help.out()
              .substring(help.out().indexOf(line))
              .lines()
              .limit(4)
              .collect(Collectors.joining(" "));
      assertTrue(rest.contains("Default:"), shown + " shows no default: " + rest);
    }
  }

  @Test
  void eachTowerFlagListsItsOwnChoices() {
    Result q = train("--data", data.toString(), "--query_tower", "foo");
    assertOneLineError(q, "--query_tower must be one of mlp, id, history, dcn; got 'foo'");
    Result i = train("--data", data.toString(), "--item_tower", "history");
    assertOneLineError(i, "--item_tower must be one of mlp, id, dcn, gcn, lightgcn; got 'history'");
    Result mode = train("--data", data.toString(), "--gcn_mode", "deep");
    assertOneLineError(mode, "--gcn_mode must be fixed or lightgcn, got 'deep'");
    Result notGcn = train("--data", data.toString(), "--gcn_mode", "lightgcn");
    assertOneLineError(notGcn, "--gcn_mode lightgcn applies to a GCN item tower");
  }

  @Test
  void resumingUnderOtherKernelsSaysTheResultWillDiffer() throws IOException {
    Path ckpt = dir.resolve("m.sbcnm");
    String[] train =
        CliTest.with(
            CliTest.SMALL, "train", "--data", data.toString(), "--save_path", ckpt.toString());
    assertEquals(0, CliTest.run(train).code());
    org.sbcnm.engine.io.TensorBundle b = org.sbcnm.engine.io.TensorBundle.read(ckpt);
    b.meta("kernels", "scalar/1");
    b.write(ckpt);
    java.io.ByteArrayOutputStream log = new java.io.ByteArrayOutputStream();
    java.io.PrintStream stderr = System.err;
    System.setErr(new java.io.PrintStream(log, true, java.nio.charset.StandardCharsets.UTF_8));
    Result r;
    try {
      String[] resume = java.util.Arrays.copyOf(train, train.length + 1);
      resume[train.length] = "--resume";
      r = CliTest.run(resume);
    } finally {
      System.setErr(stderr);
    }
    assertEquals(0, r.code(), r.err());
    String warning = log.toString(java.nio.charset.StandardCharsets.UTF_8);
    assertTrue(
        warning.contains("trained with kernels scalar/1, resuming with")
            && warning.contains("differ in the last bits"),
        warning);
  }

  /** 12 users over 8 items, every user with 4 distinct items, as a comma-separated file. */
  private Path interactionsCsv(String name, String delimiter, String prefix) throws IOException {
    StringBuilder sb = new StringBuilder(prefix + "user_id" + delimiter + "item_id\n");
    for (int u = 0; u < 12; u++) {
      for (int k = 0; k < 4; k++) {
        sb.append("u").append(u).append(delimiter).append("i").append((u + 3 * k) % 8).append('\n');
      }
    }
    return Files.writeString(dir.resolve(name), sb.toString());
  }

  @Test
  void csvWithoutFeaturesGetsNoneAndTheDefaultTowersNeedNone() throws IOException {
    Path csv = interactionsCsv("events.csv", ",", "\uFEFF"); // a BOM, as spreadsheets write
    Path out = dir.resolve("prepared");
    Result prep =
        CliTest.run("prep", "csv", "--interactions", csv.toString(), "--out", out.toString());
    assertEquals(0, prep.code(), prep.err());
    org.sbcnm.datasets.prepared.PreparedDataset d =
        org.sbcnm.datasets.prepared.PreparedDataset.read(out, false);
    assertEquals(0, d.queryFeatures().cols(), "no made-up query features");
    assertEquals(0, d.itemFeatures().cols(), "no made-up item features");
    assertEquals("u0", d.users().rawId(0).replace("\uFEFF", "?"));

    Result train =
        train("--data", out.toString(), "--save_path", dir.resolve("m.sbcnm").toString());
    assertEquals(0, train.code(), train.err());
    // The default towers (history bag, item ids) read no features.
    assertFalse(train.err().contains("no feature columns"), train.err());
    org.sbcnm.engine.io.TensorBundle m =
        org.sbcnm.engine.io.TensorBundle.read(dir.resolve("m.sbcnm"));
    assertEquals("history", m.meta("model.query.kind"));
    assertEquals("id", m.meta("model.item.kind"));

    Result asked =
        train(
            "--data",
            out.toString(),
            "--query_tower",
            "mlp",
            "--save_path",
            dir.resolve("n.sbcnm").toString());
    assertOneLineError(asked, "q_feats.npy has no feature columns", "--query_tower id");
  }

  @Test
  void aTabSeparatedFileReadAsCommasSaysWhichDelimiter() throws IOException {
    Path tsv = interactionsCsv("events.tsv", "\t", "");
    Result r =
        CliTest.run(
            "prep", "csv", "--interactions", tsv.toString(), "--out", dir.resolve("o").toString());
    assertOneLineError(r, "no column named 'user_id'", "tab-separated", "delimiter 'tab'");
  }

  @Test
  void anIndexOfAnotherCatalogueIsRefused() throws IOException {
    Path ckpt = dir.resolve("m.sbcnm");
    assertEquals(0, train("--data", data.toString(), "--save_path", ckpt.toString()).code());
    int items = org.sbcnm.datasets.prepared.PreparedDataset.read(data, false).numItems();
    Path index = dir.resolve("other.sbcnm-index");
    org.sbcnm.training.retrieval.IndexFiles.write(
        index,
        new org.sbcnm.training.retrieval.ExactIndex(
            org.sbcnm.engine.tensor.Tensor.zeros(items - 20, 8).fill(0.5)));
    String user = org.sbcnm.datasets.prepared.PreparedDataset.read(data, false).users().rawId(0);
    Result r =
        CliTest.run(
            "retrieve",
            "--data",
            data.toString(),
            "--ckpt",
            ckpt.toString(),
            "--user",
            user,
            "--index",
            index.toString());
    assertOneLineError(
        r, index.toString(), "holds " + (items - 20) + " items but the dataset has " + items);
  }

  @Test
  void aBadProbabilitiesFileIsNamedWithItsLine() throws IOException {
    org.sbcnm.datasets.prepared.PreparedDataset d =
        org.sbcnm.datasets.prepared.PreparedDataset.read(data, false);
    String item = d.items().rawId(0);
    Path csv = Files.writeString(dir.resolve("p.csv"), "item_id,probability\n" + item + ",-2\n");
    String[] args = {
      "--data",
      data.toString(),
      "--correction",
      "static",
      "--probabilities",
      csv.toString(),
      "--save_path",
      dir.resolve("m.sbcnm").toString()
    };
    assertOneLineError(train(args), csv + ":2: field probability: expected a finite number >= 0");
    Files.writeString(csv, "item_id,probability\n" + item + ",2\n");
    Result ok = train(args);
    assertEquals(0, ok.code(), ok.err());
  }
}
