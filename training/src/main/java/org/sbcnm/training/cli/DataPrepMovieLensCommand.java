package org.sbcnm.training.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.sbcnm.datasets.movielens.MovieLens100k;
import org.sbcnm.datasets.prepared.PreparedDataset;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The original project's preparation script, run as written: no flags, reads {@code ml-100k/} in
 * the working folder and writes {@code data/ml_small_prepared/}, {@code item_adj.npy} included (the
 * form its GCN commands read).
 */
@Command(
    name = "data_prep_movielens",
    mixinStandardHelpOptions = true,
    description =
        "The original preparation: ml-100k/ here to data/ml_small_prepared/, item_adj.npy included (= prep movielens --item_adj).")
final class DataPrepMovieLensCommand implements Callable<Integer> {
  @Option(
      names = "--src",
      defaultValue = "ml-100k",
      paramLabel = "DIR",
      description = "The ml-100k folder (u.data, u.item, u.user).")
  Path src;

  @Option(
      names = "--out",
      defaultValue = "data/ml_small_prepared",
      paramLabel = "DIR",
      description = "Folder to write the prepared dataset to.")
  Path out;

  @picocli.CommandLine.Mixin PrepCommand.Overwrite replace;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws IOException {
    PreparedDataset d = MovieLens100k.prepare(src);
    PrepCommand.write(d, out, true, replace.overwrite, java.util.List.of(src));
    PrepCommand.report(spec, d, out);
    return 0;
  }
}
