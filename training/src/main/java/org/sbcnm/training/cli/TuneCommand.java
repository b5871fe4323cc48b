package org.sbcnm.training.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.sbcnm.datasets.prepared.PreparedDataset;
import org.sbcnm.engine.io.AtomicFolders;
import org.sbcnm.training.loop.Tuner;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Random search over training settings, selected on the validation split. */
@Command(
    name = "tune",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description =
        "Search tower kinds, width, temperature, batch size, optimiser, learning rate and mixed negatives within a time"
            + " budget, each trial early-stopped on validation recall@50; writes trials.csv, best.sbcnm and best.txt"
            + " (the best trial's train flags). Never reads the test split.")
final class TuneCommand implements Callable<Integer> {
  @Mixin DataOptions data;

  @Option(
      names = "--out",
      defaultValue = "tune",
      description = "Folder of trials.csv, best.sbcnm and best.txt.")
  Path out;

  @Option(
      names = "--budget_minutes",
      defaultValue = "10",
      description = "Start no trial after this many minutes (a trial that has begun finishes).")
  double budgetMinutes;

  @Option(
      names = "--max_trials",
      defaultValue = "1000",
      description = "Stop once the table holds this many trials.")
  int maxTrials;

  @Option(
      names = "--max_epochs",
      defaultValue = "30",
      description = "Most epochs of a trial (early stopping, patience 3, usually ends it sooner).")
  int maxEpochs;

  @Option(
      names = "--seed",
      defaultValue = "0",
      description = "Seed of the draws and of every trial (same seed, same table).")
  long seed;

  @Option(names = "--threads", defaultValue = "0", description = "Kernel threads (0 = all cores).")
  int threads;

  @Option(
      names = "--resume",
      description = "Continue the table in --out (without it, --out must be empty or missing).")
  boolean resume;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws IOException {
    if (!(budgetMinutes > 0) || maxTrials < 1 || maxEpochs < 1) {
      throw new CliException("--budget_minutes, --max_trials and --max_epochs must be > 0");
    }
    Outputs.refuseInputsWithin("--out", out, data.inputFiles());
    if (!resume && !AtomicFolders.isMissingOrEmpty(out)) {
      throw new CliException(
          "--out " + out + " is not empty: give --resume to continue its table, or another folder");
    }
    if (resume && !Files.exists(out.resolve("trials.csv"))) {
      throw new CliException("--resume: no trials.csv in " + out);
    }
    PreparedDataset d = data.load();
    int t = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
    PrintWriter w = spec.commandLine().getOut();
    List<Tuner.Outcome> all =
        new Tuner(d, out, seed, maxEpochs, t)
            .run(
                budgetMinutes * 60,
                maxTrials,
                o -> {
                  w.printf(
                      "trial %d: validation %s %.4f after %d epochs (%.0f s)  %s%n",
                      o.trial().index(),
                      Tuner.METRIC,
                      o.validation(),
                      o.epochs(),
                      o.seconds(),
                      o.trial().flags());
                  w.flush();
                });
    Tuner.Outcome best = null;
    for (Tuner.Outcome o : all) {
      if (best == null || o.validation() > best.validation()) {
        best = o;
      }
    }
    if (best == null) {
      w.println("no trial ran within the budget");
      return 0;
    }
    w.printf(
        "best: trial %d, validation %s %.4f: %s%n",
        best.trial().index(), Tuner.METRIC, best.validation(), best.trial().flags());
    w.println("wrote " + out.resolve("trials.csv") + ", best.sbcnm, best.txt");
    return 0;
  }
}
