package org.sbcnm.training.cli;

import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.sbcnm.training.loop.TrainConfig;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * What {@code train --init_from} reads from the command line: the saved run's training config, with
 * each training flag given on the command line in place of its saved value; tower flags are
 * refused, since the towers (and their shapes) are the checkpoint's.
 */
final class WarmStartFlags {
  private WarmStartFlags() {}

  /** Flags whose config key is not their own name. */
  private static final Map<String, List<String>> KEYS =
      Map.of(
          "--no_bias_correction", List.of("correction"),
          "--no_mask", List.of("mask_hits"),
          "--k", List.of("ks"),
          "--patience", List.of("patience", "validation"));

  /** Refuses tower flags: a warm start keeps the checkpoint's towers. */
  static void refuseTowerFlags(CommandSpec spec) {
    List<OptionSpec> towerOptions = spec.mixins().get("towers").options();
    for (OptionSpec o : spec.commandLine().getParseResult().matchedOptions()) {
      if (towerOptions.contains(o)) {
        throw new CliException(
            "--init_from: the towers come from the checkpoint, so "
                + o.longestName()
                + " cannot be given (train anew to change them)");
      }
    }
  }

  /**
   * The saved config with the value of every training flag given on the command line, as {@code
   * given} (the command line's whole config) holds it.
   */
  static UnaryOperator<TrainConfig> overrides(CommandSpec spec, TrainConfig given) {
    Map<String, String> now = given.toMap();
    List<OptionSpec> matched = spec.commandLine().getParseResult().matchedOptions();
    return saved -> {
      Map<String, String> m = new java.util.LinkedHashMap<>(saved.toMap());
      for (OptionSpec o : matched) {
        String name = o.longestName();
        for (String key : KEYS.getOrDefault(name, List.of(name.substring(2)))) {
          if (now.containsKey(key) && !(key.equals("validation") && m.get(key).equals("true"))) {
            m.put(key, now.get(key));
          }
        }
      }
      return TrainConfig.fromMap(m);
    };
  }
}
