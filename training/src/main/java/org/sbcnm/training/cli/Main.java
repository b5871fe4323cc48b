package org.sbcnm.training.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code sbcnm-train}: prepare datasets, train two-tower models with sampling-bias-corrected batch
 * softmax, evaluate, export, retrieve and compare. With no arguments it runs the quickstart.
 *
 * <p>Exit codes: 0 success, 2 bad input or usage (one line on stderr; {@code --verbose} adds the
 * stack trace), 1 anything unexpected.
 */
@Command(
    name = "sbcnm-train",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description =
        "Two-tower retrieval with sampling-bias-corrected batch softmax (Yi et al., RecSys 2019).%n"
            + "Without a command: the quickstart (synthetic data, trained with and without correction).",
    subcommands = {
      PrepCommand.class,
      DataPrepMovieLensCommand.class,
      TrainCommand.class,
      TuneCommand.class,
      EvalCommand.class,
      ExportCommand.class,
      RetrieveCommand.class,
      CompareCommand.class,
      PeriodsCommand.class,
      ServeCommand.class,
      SimulateCommand.class,
      InfoCommand.class,
      BenchTrainCommand.class,
      BenchIndexCommand.class,
      QuickstartCommand.class
    })
public final class Main implements Callable<Integer> {
  @Option(
      names = "--verbose",
      description = "Print stack traces of errors.",
      scope = CommandLine.ScopeType.INHERIT)
  boolean verbose;

  @Option(
      names = "--work_dir",
      description = "Quickstart working folder (default: ./sbcnm-quickstart).")
  Path workDir = Path.of("sbcnm-quickstart");

  @Override
  public Integer call() throws Exception {
    return new QuickstartCommand().run(workDir, QuickstartCommand.DEFAULT_EPOCHS, "small", false);
  }

  public static void main(String[] args) {
    Launcher.endWithLauncher();
    System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
  }

  /** Runs the command line in-process (tests use this) and returns the exit code. */
  public static int run(String[] args, PrintWriter out, PrintWriter err) {
    Logging.configure(args);
    CommandLine cl = new CommandLine(new Main());
    cl.setOut(out);
    cl.setErr(err);
    showDefaults(cl);
    cl.setParameterExceptionHandler(
        (ex, params) -> {
          // The reason and where to look, not the whole usage text (up to 91 lines).
          CommandLine cmd = ex.getCommandLine();
          cmd.getErr().println("sbcnm-train: error: " + ex.getMessage());
          cmd.getErr()
              .println(
                  "Try '" + cmd.getCommandSpec().qualifiedName() + " --help' for the options.");
          cmd.getErr().flush();
          return 2;
        });
    cl.setExecutionExceptionHandler(
        (ex, cmd, parsed) -> {
          boolean verbose = false;
          for (String a : args) {
            verbose |= a.equals("--verbose");
          }
          Throwable cause = ex;
          cmd.getErr().println("sbcnm-train: error: " + message(cause));
          if (verbose) {
            ex.printStackTrace(cmd.getErr());
          }
          cmd.getErr().flush();
          return isInputError(ex) ? 2 : 1;
        });
    return cl.execute(args);
  }

  /** Every command's help shows each option's default. */
  private static void showDefaults(CommandLine cl) {
    cl.getCommandSpec().usageMessage().showDefaultValues(true);
    for (CommandLine sub : cl.getSubcommands().values()) {
      showDefaults(sub);
    }
  }

  static boolean isInputError(Throwable t) {
    return t instanceof IllegalArgumentException
        || t instanceof java.io.IOException
        || t instanceof CliException
        || t instanceof IllegalStateException;
  }

  static String message(Throwable t) {
    String m = t.getMessage();
    if (t instanceof java.nio.file.NoSuchFileException) {
      return m + ": no such file";
    }
    if (t instanceof java.nio.file.AccessDeniedException) {
      return m + ": permission denied";
    }
    return m == null ? t.getClass().getSimpleName() : m;
  }

  /** The jar's version. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = Main.class.getPackage().getImplementationVersion();
      return new String[] {
        "sbcnm-train " + (v == null ? "dev" : v), "JDK " + System.getProperty("java.version")
      };
    }
  }
}
