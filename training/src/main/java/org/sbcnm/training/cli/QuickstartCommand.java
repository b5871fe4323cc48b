package org.sbcnm.training.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.sbcnm.datasets.prepared.PreparedDataset;
import org.sbcnm.datasets.synthetic.SyntheticConfig;
import org.sbcnm.datasets.synthetic.SyntheticGenerator;
import org.sbcnm.towers.config.ModelConfig;
import org.sbcnm.towers.config.TowerConfig;
import org.sbcnm.towers.config.TowerKind;
import org.sbcnm.training.eval.Baselines;
import org.sbcnm.training.eval.RetrievalMetrics;
import org.sbcnm.training.loop.Correction;
import org.sbcnm.training.loop.TrainConfig;
import org.sbcnm.training.loop.TrainResult;
import org.sbcnm.training.loop.Trainer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Synthetic data, the default model trained with and without the logQ correction, and the
 * most-popular baseline, side by side.
 */
@Command(
    name = "quickstart",
    mixinStandardHelpOptions = true,
    description =
        "Generate the small synthetic dataset, train the default model with and without sampling-bias correction, print both beside the most-popular baseline.")
final class QuickstartCommand implements Callable<Integer> {
  static final int DEFAULT_EPOCHS = 10;

  @Option(
      names = "--work_dir",
      defaultValue = "sbcnm-quickstart",
      paramLabel = "DIR",
      description = "Working folder for the data and models.")
  Path workDir;

  @Option(names = "--epochs", defaultValue = "" + DEFAULT_EPOCHS, description = "Epochs per model.")
  int epochs;

  @Option(names = "--preset", defaultValue = "small", description = "small, tiny or bench.")
  String preset;

  @Option(names = "--quiet", description = "No progress display.")
  boolean quiet;

  @Spec picocli.CommandLine.Model.CommandSpec spec;
  private PrintWriter out = new PrintWriter(System.out, true);

  @Override
  public Integer call() throws IOException {
    out = spec.commandLine().getOut();
    return run(workDir, epochs, preset, quiet);
  }

  /** What a model must beat: every user gets the most-interacted items they have not seen. */
  private static Map<String, Double> mostPopular(Trainer trainer, PreparedDataset d, int[] ks) {
    int[] ranks = Baselines.popularityRanks(trainer.split(), d.numItems());
    Map<String, Double> popular = new LinkedHashMap<>(RetrievalMetrics.fromRanks(ranks, ks));
    popular.remove("mrr");
    return popular;
  }

  /** The preset's dataset in {@code data}, generated there the first time. */
  private PreparedDataset dataset(Path data, String presetName) throws IOException {
    if (!Files.exists(data.resolve(PreparedDataset.INTERACTIONS))) {
      out.println("generating the '" + presetName + "' synthetic dataset in " + data);
      SyntheticGenerator.generate(SyntheticConfig.preset(presetName, 42)).writeAtomically(data);
    }
    return PreparedDataset.read(data, false);
  }

  int run(Path dir, int n, String presetName, boolean silent) throws IOException {
    Path data = dir.resolve("data-" + presetName);
    PreparedDataset d = dataset(data, presetName);
    out.printf(
        "%d users, %d items, %d interactions; training %d epochs each...%n",
        d.numUsers(), d.numItems(), d.interactions().size(), n);
    out.flush();
    // The default towers of `train`: a bag of the user's earlier items and item ids.
    ModelConfig model =
        new ModelConfig(
            TowerConfig.defaults(TowerKind.HISTORY), TowerConfig.defaults(TowerKind.ID), 0.05, 0);
    TrainConfig base =
        TrainConfig.builder().epochs(n).threads(Runtime.getRuntime().availableProcessors()).build();
    Map<String, Map<String, Double>> rows = new LinkedHashMap<>();
    for (Correction correction : new Correction[] {Correction.STREAMING, Correction.NONE}) {
      String name = correction == Correction.NONE ? "uncorrected" : "corrected";
      Progress progress = new Progress(name, silent);
      Trainer trainer =
          Trainer.create(
              d,
              model,
              base.toBuilder().correction(correction).build(),
              null,
              dir.resolve(name + ".sbcnm"),
              null);
      TrainResult r =
          trainer.run(
              new Trainer.Listener() {
                @Override
                public void step(long done, long total, double loss) {
                  progress.update(done, total, String.format("loss %.4f", loss));
                }
              });
      progress.done();
      Map<String, Double> m = new LinkedHashMap<>(r.finalMetrics());
      m.remove("mrr");
      rows.put(name, m);
      if (correction == Correction.NONE) {
        rows.put("most popular", mostPopular(trainer, d, base.evaluation().ks()));
      }
    }
    out.println();
    Tables.metrics(out, rows);
    out.println();
    out.println(
        "checkpoints: " + dir.resolve("corrected.sbcnm") + ", " + dir.resolve("uncorrected.sbcnm"));
    out.println(
        "next: java -jar sbcnm-train.jar compare --data "
            + data
            + " --ckpt corrected="
            + dir.resolve("corrected.sbcnm")
            + " --ckpt uncorrected="
            + dir.resolve("uncorrected.sbcnm")
            + " --out "
            + dir.resolve("report"));
    out.flush();
    return 0;
  }
}
