package org.sbcnm.training.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.sbcnm.datasets.movielens.MovieLens100k;
import org.sbcnm.datasets.movielens.MovieLensDownload;
import org.sbcnm.datasets.prepared.CsvImport;
import org.sbcnm.datasets.prepared.PreparedDataset;
import org.sbcnm.datasets.synthetic.SyntheticConfig;
import org.sbcnm.datasets.synthetic.SyntheticGenerator;
import org.sbcnm.engine.io.AtomicFolders;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Writes prepared datasets: MovieLens 100K, synthetic presets, or any CSV/TSV of interactions. */
@Command(
    name = "prep",
    mixinStandardHelpOptions = true,
    description = "Prepare a dataset in the layout of shared/FORMAT.md.",
    subcommands = {
      PrepCommand.Synthetic.class,
      PrepDrifting.class,
      PrepCommand.MovieLens.class,
      PrepCommand.Csv.class
    })
final class PrepCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    throw new CliException("prep needs a source: synthetic, movielens or csv (see prep --help)");
  }

  /** The {@code --overwrite} flag of every command that writes a dataset folder. */
  static final class Overwrite {
    @Option(
        names = "--overwrite",
        description = "Replace a non-empty --out folder as a whole (default: refuse it).")
    boolean overwrite;
  }

  /**
   * Writes {@code d} to {@code out} in one step: a non-empty {@code out} is refused unless {@code
   * overwrite}, and then replaced as a whole; it may not hold any of the command's inputs.
   */
  static void write(
      PreparedDataset d, Path out, boolean itemAdj, boolean overwrite, List<Path> inputs)
      throws IOException {
    if (overwrite) {
      Outputs.refuseInputsWithin("--out", out, inputs);
    }
    try {
      d.writeAtomically(out, itemAdj, overwrite);
    } catch (AtomicFolders.NotEmptyException e) {
      throw new CliException(
          "--out " + out + ": not an empty folder; pass --overwrite to replace it as a whole");
    }
  }

  static void report(picocli.CommandLine.Model.CommandSpec spec, PreparedDataset d, Path out) {
    spec.commandLine()
        .getOut()
        .printf(
            "wrote %s: %d users, %d items, %d interactions, dq=%d, di=%d%s%n",
            out,
            d.numUsers(),
            d.numItems(),
            d.interactions().size(),
            d.queryFeatures().cols(),
            d.itemFeatures().cols(),
            d.itemEdges() == null ? "" : ", " + d.itemEdges().size() + " item edges");
  }

  @Command(
      name = "synthetic",
      mixinStandardHelpOptions = true,
      description = "Seeded synthetic data (power-law popularity, latent tastes).")
  static final class Synthetic implements Callable<Integer> {
    @Option(names = "--preset", defaultValue = "small", description = "small, bench or tiny.")
    String preset;

    @Option(names = "--seed", defaultValue = "42", description = "Seed of the generator.")
    long seed;

    @Option(
        names = "--zipf",
        description = "Popularity exponent: pop(rank r) ∝ (r + 1)^-zipf (default: the preset's).")
    Double zipf;

    @Option(
        names = "--beta",
        description = "Weight of log popularity in each user's choices (default: the preset's).")
    Double beta;

    @Option(
        names = "--affinity_temp",
        description =
            "Temperature of a user's taste ⟨u, v⟩ in the choices: lower, taste matters more (default: the preset's).")
    Double affinityTemperature;

    @Option(
        names = "--out",
        required = true,
        paramLabel = "DIR",
        description = "Folder to write the prepared dataset to (must be new or empty).")
    Path out;

    @picocli.CommandLine.Mixin Overwrite replace;

    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws IOException {
      SyntheticConfig c = SyntheticConfig.preset(preset, seed);
      c =
          c.withPopularity(
              zipf != null ? zipf : c.zipf(),
              beta != null ? beta : c.beta(),
              affinityTemperature != null ? affinityTemperature : c.affinityTemperature());
      PreparedDataset d = SyntheticGenerator.generate(c);
      write(d, out, false, replace.overwrite, List.of());
      report(spec, d, out);
      return 0;
    }
  }

  @Command(
      name = "movielens",
      mixinStandardHelpOptions = true,
      description = "MovieLens 100K from the official ml-100k folder.")
  static final class MovieLens implements Callable<Integer> {
    @Option(
        names = "--src",
        required = true,
        paramLabel = "DIR",
        description = "The ml-100k folder (u.data, u.item, u.user).")
    Path src;

    @Option(
        names = "--out",
        required = true,
        paramLabel = "DIR",
        description = "Folder to write the prepared dataset to (must be new or empty).")
    Path out;

    @picocli.CommandLine.Mixin Overwrite replace;

    @Option(
        names = "--download",
        description = "Fetch the official zip first and unpack it as --src (checksum verified).")
    boolean download;

    @Option(
        names = "--url",
        defaultValue = MovieLensDownload.OFFICIAL_URL,
        description = "Where --download fetches the zip from.")
    java.net.URI url;

    @Option(
        names = "--sha256",
        paramLabel = "HEX",
        description =
            "Expected SHA-256 of the zip (default: GroupLens's published MD5 is checked).")
    String sha256;

    @Option(
        names = "--item_adj",
        description =
            "Also write item_adj.npy, the item graph as a dense float32 matrix (the original project's form).")
    boolean itemAdj;

    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws IOException {
      List<Path> fetched = new ArrayList<>();
      try {
        if (download) {
          fetch(fetched);
        }
        PreparedDataset d = MovieLens100k.prepare(src);
        write(d, out, itemAdj, replace.overwrite, List.of(src));
        report(spec, d, out);
      } catch (IOException | RuntimeException e) {
        // A failed preparation leaves nothing it downloaded or unpacked behind.
        for (Path p : fetched) {
          AtomicFolders.deleteTree(p);
        }
        throw e;
      }
      return 0;
    }

    /** Downloads and unpacks the archive unless {@code src} holds u.data; adds what it wrote. */
    private void fetch(List<Path> fetched) throws IOException {
      if (java.nio.file.Files.exists(src.resolve("u.data"))) {
        spec.commandLine().getOut().println(src + " already holds u.data; not downloading");
        return;
      }
      Path parent = src.toAbsolutePath().getParent();
      Path zip = parent.resolve("ml-100k.zip");
      if (java.nio.file.Files.exists(zip)) {
        throw new CliException(zip + ": already exists; unpack it yourself or remove it");
      }
      fetched.add(zip);
      if (sha256 != null) {
        MovieLensDownload.download(url, zip, "SHA-256", sha256);
      } else {
        MovieLensDownload.download(url, zip, "MD5", MovieLensDownload.OFFICIAL_MD5);
      }
      fetched.addAll(MovieLensDownload.extract(zip, parent));
      if (!java.nio.file.Files.exists(src.resolve("u.data"))) {
        throw new CliException(
            zip + ": unpacked, but " + src + "/u.data is not there (the zip holds another layout)");
      }
    }
  }

  @Command(
      name = "csv",
      mixinStandardHelpOptions = true,
      description = "Interactions from any delimited file (CRLF and quotes handled).")
  static final class Csv implements Callable<Integer> {
    @Option(
        names = "--interactions",
        required = true,
        paramLabel = "FILE",
        description = "The delimited file of interactions, one per line.")
    Path file;

    @Option(
        names = "--delimiter",
        defaultValue = ",",
        description = "One character; 'tab' for a tab.")
    String delimiter;

    @Option(
        names = "--no_header",
        description = "The file has no header line: columns are 0-based positions.")
    boolean noHeader;

    @Option(
        names = "--user_col",
        defaultValue = "user_id",
        description = "Column name or 0-based position.")
    String user;

    @Option(
        names = "--item_col",
        defaultValue = "item_id",
        description = "Column name or 0-based position of the item id.")
    String item;

    @Option(names = "--rating_col", description = "Optional rating/weight column.")
    String rating;

    @Option(names = "--time_col", description = "Optional timestamp column (else line order).")
    String time;

    @Option(
        names = "--min_rating",
        description = "Keep only rows rated at least this (implicit feedback).")
    Double minRating;

    @Option(names = "--user_features", paramLabel = "FILE", description = "id,f1,f2,... per user.")
    Path userFeatures;

    @Option(names = "--item_features", paramLabel = "FILE", description = "id,f1,f2,... per item.")
    Path itemFeatures;

    @Option(
        names = "--out",
        required = true,
        paramLabel = "DIR",
        description = "Folder to write the prepared dataset to (must be new or empty).")
    Path out;

    @picocli.CommandLine.Mixin Overwrite replace;

    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws IOException {
      String d = delimiter.equals("tab") || delimiter.equals("\\t") ? "\t" : delimiter;
      if (d.length() != 1) {
        throw new CliException(
            "--delimiter must be one character (or 'tab'), got '" + delimiter + "'");
      }
      if (minRating != null && rating == null) {
        throw new CliException("--min_rating needs --rating_col");
      }
      PreparedDataset ds =
          CsvImport.read(
              new CsvImport.Spec(
                  file,
                  d.charAt(0),
                  !noHeader,
                  user,
                  item,
                  rating,
                  time,
                  minRating == null ? Double.NaN : minRating,
                  userFeatures,
                  itemFeatures));
      List<Path> inputs = new ArrayList<>(List.of(file));
      if (userFeatures != null) {
        inputs.add(userFeatures);
      }
      if (itemFeatures != null) {
        inputs.add(itemFeatures);
      }
      write(ds, out, false, replace.overwrite, inputs);
      report(spec, ds, out);
      return 0;
    }
  }
}
