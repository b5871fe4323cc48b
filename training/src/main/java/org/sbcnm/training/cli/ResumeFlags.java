package org.sbcnm.training.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import picocli.CommandLine.Model.CommandSpec;

/**
 * What {@code train --resume} reads from the command line: the data, the checkpoint, the outputs
 * and {@code --epochs} (to extend the run); every other setting is the saved run's, and a flag for
 * one is named in a warning rather than silently dropped.
 */
final class ResumeFlags {
  private ResumeFlags() {}

  /** The options a resumed run reads; the others are the saved run's. */
  static final Set<String> RESUME_OPTIONS =
      Set.of(
          "--resume",
          "--epochs",
          "--data",
          "--q_feats_npy",
          "--q_idmap_csv",
          "--i_feats_npy",
          "--i_idmap_csv",
          "--inter_csv",
          "--q_side_cat_npy",
          "--item_adj_npy",
          "--skip_unknown_ids",
          "--save_path",
          "--metrics_json",
          "--metrics_jsonl",
          "--quiet",
          "--verbose",
          "--cpu");

  /** Warns of the flags given that a resumed run does not read. */
  static void warnIgnored(CommandSpec spec) {
    picocli.CommandLine.ParseResult given = spec.commandLine().getParseResult();
    List<String> ignored = new ArrayList<>();
    for (picocli.CommandLine.Model.OptionSpec o : given.matchedOptions()) {
      if (!RESUME_OPTIONS.contains(o.longestName())) {
        ignored.add(o.longestName());
      }
    }
    if (!ignored.isEmpty()) {
      spec.commandLine()
          .getErr()
          .println(
              "--resume continues the saved run with its own settings; ignoring "
                  + String.join(", ", ignored));
    }
  }
}
