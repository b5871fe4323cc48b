package org.sbcnm.training.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sbcnm.engine.io.Npy;
import org.sbcnm.engine.tensor.Tensor;

/**
 * The original PyTorch project's nine documented commands, run as written (script name replaced by
 * the command alias) in a working folder that holds a MovieLens-shaped {@code ml-100k/}: each in
 * its own JVM started there, as a user would.
 */
class OriginalCommandsTest {
  private static final String P = "data/ml_small_prepared/";
  private static final String[] FILES = {
    "--q_feats_npy", P + "q_feats.npy",
    "--q_idmap_csv", P + "q_idmap.csv",
    "--i_feats_npy", P + "i_feats.npy",
    "--i_idmap_csv", P + "i_idmap.csv",
    "--inter_csv", P + "interactions.csv"
  };
  private static final String[] DCN = {
    "--use_dcn_query",
    "--use_dcn_item",
    "--cross_layers",
    "3",
    "--h1",
    "256",
    "--h2",
    "128",
    "--out_dim",
    "64",
    "--batch_size",
    "256"
  };

  @TempDir Path work;

  @Test
  void allNineRunInOrder() throws Exception {
    movieLensShaped(work.resolve("ml-100k"), 60, 90, 7);

    // 1. The preparation script: no flags.
    run("data_prep_movielens");
    Tensor adj = Npy.readFloat32(work.resolve(P + "item_adj.npy"));
    assertEquals(90, adj.rows());
    assertEquals(90, adj.cols());
    assertEquals(adj.get(3, 5), adj.get(5, 3), "symmetric");

    // 2-3. Training, MLP towers and the GCN item tower.
    run(
        cmd("train_real", FILES, "--epochs", "3", "--batch_size", "128"),
        "--save_path",
        "movielens_ckpt.pt",
        "--cpu");
    run(
        cmd("train_real", FILES, "--epochs", "3", "--batch_size", "128"),
        "--use_gcn",
        "--item_adj_npy",
        P + "item_adj.npy",
        "--save_path",
        "movielens_gcn_ckpt.pt",
        "--cpu");
    assertTrue(Files.exists(work.resolve("movielens_ckpt.pt")));

    // 4. Export of the GCN model from the five files alone.
    run(
        cmd("export_index_real", new String[] {"--ckpt_path", "movielens_gcn_ckpt.pt"}, FILES),
        "--use_faiss",
        "0");
    assertTrue(Files.exists(work.resolve("data/index/item_embeddings.npy")));

    // The baseline and userembed checkpoints that commands 5 and 7 assume.
    run(cmd("train_real", FILES, "--epochs", "3"), "--save_path", "data/baseline_ckpt.pt");
    run(
        cmd("train_real", FILES, "--epochs", "3", "--q_side_cat_npy", P + "q_side_cat.npy"),
        "--query_tower",
        "id",
        "--save_path",
        "data/userembed_ckpt_epoch10.pt");

    // 5. retrieval_three.
    String three =
        run(
            cmd(
                "retrieval_three",
                FILES,
                "--q_side_cat_npy",
                P + "q_side_cat.npy",
                "--baseline_ckpt",
                "data/baseline_ckpt.pt",
                "--userembed_ckpt",
                "data/userembed_ckpt_epoch10.pt",
                "--gcn_ckpt",
                "movielens_gcn_ckpt.pt",
                "--item_adj_npy",
                P + "item_adj.npy"),
            "--batch_size",
            "512");
    assertTrue(
        three.contains("baseline") && three.contains("userembed") && three.contains("gcn"), three);

    // 6. DCN, one checkpoint per epoch.
    run(cmd("train_real", FILES, DCN), "--epochs", "5", "--save_path", "./data/dcn_epoch{}.pt");
    for (int e = 1; e <= 5; e++) {
      assertTrue(Files.exists(work.resolve("data/dcn_epoch" + e + ".pt")), "epoch " + e);
    }
    assertTrue(Files.notExists(work.resolve("data/dcn_epoch{}.pt")));

    // 7. retrieval_three_dcn reads the highest-numbered DCN checkpoint.
    String dcn =
        run(
            cmd(
                "retrieval_three_dcn",
                FILES,
                "--q_side_cat_npy",
                P + "q_side_cat.npy",
                "--baseline_ckpt",
                "./data/baseline_ckpt.pt",
                "--userembed_ckpt",
                "./data/userembed_ckpt_epoch10.pt",
                "--dcn_ckpt",
                "./data/dcn_epoch{}.pt"),
            "--batch_size",
            "512");
    assertTrue(dcn.contains("dcn"), dcn);

    // 8. DCN with and without the correction.
    run(cmd("train_real", FILES, DCN), "--epochs", "5", "--save_path", "./data/dcn_bias.pt");
    run(
        cmd("train_real", FILES, DCN),
        "--epochs",
        "5",
        "--save_path",
        "./data/dcn_nobias.pt",
        "--no_bias_correction");

    // 9. retrieval_bias_compare.
    String bias =
        run(
            cmd(
                "retrieval_bias_compare",
                new String[] {
                  "--dcn_bias_ckpt",
                  "./data/dcn_bias.pt",
                  "--dcn_nobias_ckpt",
                  "./data/dcn_nobias.pt"
                },
                FILES),
            "--batch_size",
            "512");
    assertTrue(bias.contains("dcn_bias") && bias.contains("dcn_nobias"), bias);
  }

  /** Runs the CLI in a JVM of its own, working in {@link #work}; returns its output. */
  private String run(String... args) throws IOException, InterruptedException {
    List<String> cmd = Launcher.relaunchCommand(args);
    assertNotNull(cmd, "no java.home or class path to start a JVM");
    Path log = Files.createTempFile(work, "out", ".txt");
    Process p =
        new ProcessBuilder(cmd)
            .directory(work.toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    assertTrue(p.waitFor(5, TimeUnit.MINUTES), "timed out: " + Arrays.toString(args));
    String out = Files.readString(log);
    assertEquals(0, p.exitValue(), Arrays.toString(args) + "\n" + out);
    return out;
  }

  /** {@link #run(String...)} of {@code head} followed by {@code rest}. */
  private String run(String[] head, String... rest) throws IOException, InterruptedException {
    return run(cmd(head, rest));
  }

  /** A command line from words and arrays of words, flattened in order. */
  private static String[] cmd(Object... parts) {
    List<String> all = new ArrayList<>();
    for (Object part : parts) {
      if (part instanceof String[]) {
        all.addAll(Arrays.asList((String[]) part));
      } else {
        all.add((String) part);
      }
    }
    return all.toArray(new String[0]);
  }

  /**
   * A MovieLens-shaped {@code ml-100k/}: u.user, u.item (Latin-1, 19 genre flags) and u.data with
   * ratings whose item choice leans on a user's taste group, so co-occurrence makes a graph.
   */
  static void movieLensShaped(Path dir, int users, int items, long seed) throws IOException {
    Files.createDirectories(dir);
    SplittableRandom rng = new SplittableRandom(seed);
    String[] jobs = {"student", "writer", "other", "engineer"};
    StringBuilder u = new StringBuilder();
    for (int i = 1; i <= users; i++) {
      u.append(i)
          .append('|')
          .append(15 + rng.nextInt(50))
          .append('|')
          .append(rng.nextBoolean() ? "M" : "F")
          .append('|')
          .append(jobs[rng.nextInt(4)])
          .append('|')
          .append(10000 + rng.nextInt(89999))
          .append('\n');
    }
    Files.writeString(dir.resolve("u.user"), u.toString());
    StringBuilder it = new StringBuilder();
    for (int i = 1; i <= items; i++) {
      it.append(i)
          .append("|Caf\u00e9 ")
          .append(i)
          .append(" (1995)|01-Jan-")
          .append(1950 + i % 45)
          .append("||http://x");
      for (int g = 0; g < 19; g++) {
        it.append(g == i % 19 ? "|1" : "|0");
      }
      it.append('\n');
    }
    Files.write(dir.resolve("u.item"), it.toString().getBytes(StandardCharsets.ISO_8859_1));
    StringBuilder data = new StringBuilder();
    long t = 874965758L;
    for (int i = 1; i <= users; i++) {
      int group = i % 3;
      boolean[] seen = new boolean[items + 1];
      for (int r = 0; r < 20; r++) {
        int item =
            rng.nextDouble() < 0.7
                ? 1 + group + 3 * rng.nextInt(items / 3)
                : 1 + rng.nextInt(items);
        if (item > items || seen[item]) {
          continue;
        }
        seen[item] = true;
        data.append(i)
            .append('\t')
            .append(item)
            .append('\t')
            .append(1 + rng.nextInt(5))
            .append('\t')
            .append(t += 1 + rng.nextInt(100))
            .append('\n');
      }
    }
    Files.writeString(dir.resolve("u.data"), data.toString());
  }
}
