package org.sbcnm.training.cli;

import picocli.CommandLine.Option;

/** The options of {@code train} that choose each row's negatives. */
final class NegativeOptions {
  @Option(names = "--no_mask", description = "Keep accidental hits in the softmax.")
  boolean noMask;

  @Option(
      names = "--hard_negatives",
      defaultValue = "0",
      description = "Hardest in-batch negatives kept per query (0 = all).")
  int hardNegatives;

  @Option(
      names = "--mixed_negatives",
      defaultValue = "0",
      description = "Uniformly sampled items added to each batch as negatives.")
  int mixedNegatives;

  @Option(
      names = "--xbm_size",
      defaultValue = "0",
      description =
          "Experimental cross-batch negatives: keep the item embeddings of the last N positives as extra negatives, each corrected by its log q (0 = off). In bench/compare-xbm.sh they lower recall sharply; see bench/README.md.")
  int xbmSize;

  @Option(
      names = "--full_softmax",
      description =
          "Score every item of the catalogue as a negative each step (the exact softmax: nothing sampled, so no correction applies); for catalogues up to about 100k items.")
  boolean fullSoftmax;
}
