package org.sbcnm.training.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.sbcnm.datasets.prepared.PreparedDataset;
import org.sbcnm.datasets.synthetic.DriftConfig;
import org.sbcnm.datasets.synthetic.DriftingGenerator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code prep drifting}: a generated stream whose popularity drifts between periods. */
@Command(
    name = "drifting",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description =
        "Write a generated stream of one-day periods whose item popularity drifts between periods (for the periods command).")
final class PrepDrifting implements Callable<Integer> {
  private static final DriftConfig D = DriftConfig.defaults(0);

  @Option(names = "--users", description = "Users (default 2000).")
  Integer users;

  @Option(names = "--items", description = "Items (default 500).")
  Integer items;

  @Option(names = "--periods", description = "Periods of one day each (default 8).")
  Integer periods;

  @Option(names = "--per_period", description = "Items an active user picks a period (default 8).")
  Integer perPeriod;

  @Option(names = "--active", description = "Share of the users active each period (default 0.5).")
  Double active;

  @Option(
      names = "--drift",
      description =
          "Share of the items that trade popularity ranks between two periods (default 0.2).")
  Double drift;

  @Option(
      names = "--affinity_temp",
      description = "Temperature of a user's taste in the choices (default 0.1).")
  Double affinityTemperature;

  @Option(names = "--seed", defaultValue = "42", description = "Seed of the generator.")
  long seed;

  @Option(
      names = "--out",
      required = true,
      paramLabel = "DIR",
      description = "Folder to write the prepared dataset to (must be new or empty).")
  Path out;

  @picocli.CommandLine.Mixin PrepCommand.Overwrite replace;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws IOException {
    DriftConfig c;
    try {
      c =
          new DriftConfig(
              users != null ? users : D.users(),
              items != null ? items : D.items(),
              periods != null ? periods : D.periods(),
              perPeriod != null ? perPeriod : D.perPeriod(),
              active != null ? active : D.active(),
              D.zipf(),
              D.beta(),
              affinityTemperature != null ? affinityTemperature : D.affinityTemperature(),
              drift != null ? drift : D.drift(),
              seed);
    } catch (IllegalArgumentException e) {
      throw new CliException(e.getMessage());
    }
    PreparedDataset d = DriftingGenerator.generate(c);
    PrepCommand.write(d, out, false, replace.overwrite, List.of());
    PrepCommand.report(spec, d, out);
    return 0;
  }
}
