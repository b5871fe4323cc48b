package org.sbcnm.training.loop;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A {@link TrainConfig} as the flat map of strings a checkpoint keeps under {@code train.*}: the
 * keys are the command line's option names, so a saved config reads as the flags that made it. The
 * learning rate and weight decay are saved as the values in force, so a later change of the
 * optimisers' defaults cannot change a resumed run. Reads checkpoints of every version: keys added
 * later take the value those runs had.
 */
final class TrainConfigCodec {
  /** The Adam family's default rate before checkpoints saved the rate in force. */
  private static final double LEGACY_ADAM_LR = 1e-3;

  private TrainConfigCodec() {}

  static Map<String, String> toMap(TrainConfig c) {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("epochs", Integer.toString(c.epochs()));
    m.put("batch_size", Integer.toString(c.batchSize()));
    m.put("optimizer", c.optimizer().kind().id());
    m.put("lr", Double.toString(c.optimizer().effectiveLr()));
    m.put("weight_decay", Double.toString(c.optimizer().effectiveWeightDecay()));
    m.put("seed", Long.toString(c.seed()));
    m.put("correction", c.correction().source().id());
    m.put("hash_buckets", Integer.toString(c.correction().hashBuckets()));
    m.put("hashes", Integer.toString(c.correction().hashes()));
    m.put("alpha", Double.toString(c.correction().alpha()));
    m.put("mask_hits", Boolean.toString(c.negatives().maskHits()));
    m.put("hard_negatives", Integer.toString(c.negatives().hard()));
    m.put("mixed_negatives", Integer.toString(c.negatives().mixed()));
    m.put("full_softmax", Boolean.toString(c.negatives().fullSoftmax()));
    m.put("xbm_size", Integer.toString(c.negatives().crossBatch()));
    m.put("use_ratings", Boolean.toString(c.useRatings()));
    m.put("history_length", Integer.toString(c.historyLength()));
    m.put("early_stop_metric", c.evaluation().earlyStopMetric());
    m.put("patience", Integer.toString(c.evaluation().patience()));
    m.put("validation", Boolean.toString(c.evaluation().validation()));
    m.put("ks", Arrays.toString(c.evaluation().ks()).replaceAll("[\\[\\] ]", ""));
    m.put("threads", Integer.toString(c.execution().threads()));
    m.put("sequential_towers", Boolean.toString(c.execution().sequentialTowers()));
    m.put("full_columns", Boolean.toString(c.execution().fullColumns()));
    m.put("checkpoint_every", Integer.toString(c.execution().checkpointEvery()));
    return m;
  }

  static TrainConfig fromMap(Map<String, String> m) {
    Map<String, String> known = toMap(TrainConfig.defaults());
    for (String key : m.keySet()) {
      if (!known.containsKey(key)) {
        throw new IllegalArgumentException("training config has an unknown key '" + key + "'");
      }
    }
    OptimizerKind optimizer = OptimizerKind.parse(get(m, "optimizer"));
    double lr = doubleOf(m, "lr");
    boolean beforeWeightDecay = !m.containsKey("weight_decay");
    boolean adamFamily = optimizer != OptimizerKind.ADAGRAD && optimizer != OptimizerKind.SGD;
    if (beforeWeightDecay && lr == 0 && adamFamily) {
      // Saved as "the default" by a version whose Adam default was 1e-3.
      lr = LEGACY_ADAM_LR;
    }
    return TrainConfig.builder()
        .epochs(intOf(m, "epochs"))
        .batchSize(intOf(m, "batch_size"))
        .optimizer(optimizer)
        .lr(lr)
        .seed(longOf(m, "seed"))
        .correction(Correction.parse(get(m, "correction")))
        .hashBuckets(intOf(m, "hash_buckets"))
        .hashes(intOf(m, "hashes"))
        .alpha(doubleOf(m, "alpha"))
        .maskHits(Boolean.parseBoolean(get(m, "mask_hits")))
        .hardNegatives(intOf(m, "hard_negatives"))
        .mixedNegatives(intOf(m, "mixed_negatives"))
        // Checkpoints from before these were saved ran with the optimiser's default decay and the
        // batch softmax.
        .weightDecay(
            beforeWeightDecay ? OptimizerConfig.DEFAULT_DECAY : doubleOf(m, "weight_decay"))
        .fullSoftmax(Boolean.parseBoolean(m.getOrDefault("full_softmax", "false")))
        .crossBatch(m.containsKey("xbm_size") ? intOf(m, "xbm_size") : 0)
        .useRatings(Boolean.parseBoolean(get(m, "use_ratings")))
        .historyLength(intOf(m, "history_length"))
        .earlyStopMetric(get(m, "early_stop_metric"))
        .patience(intOf(m, "patience"))
        // Checkpoints from before the validation split: early stopping is the one run that needs
        // it, and it now always has it.
        .validation(
            Boolean.parseBoolean(
                m.getOrDefault("validation", Boolean.toString(!"0".equals(m.get("patience"))))))
        .ks(ks(m))
        .threads(intOf(m, "threads"))
        // Checkpoints from before these were saved ran with both off.
        .sequentialTowers(Boolean.parseBoolean(m.getOrDefault("sequential_towers", "false")))
        .fullColumns(Boolean.parseBoolean(m.getOrDefault("full_columns", "false")))
        .checkpointEvery(intOf(m, "checkpoint_every"))
        .stopAfterSteps(0)
        .build();
  }

  private static String get(Map<String, String> m, String key) {
    String v = m.get(key);
    if (v == null) {
      throw new IllegalArgumentException("training config lacks '" + key + "'");
    }
    return v;
  }

  private static long longOf(Map<String, String> m, String key) {
    try {
      return Long.parseLong(get(m, key).trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "training config '" + key + "' = '" + m.get(key) + "' is not a whole number");
    }
  }

  private static int intOf(Map<String, String> m, String key) {
    long v = longOf(m, key);
    if (v != (int) v) {
      throw new IllegalArgumentException(
          "training config '" + key + "' = " + v + " is out of range");
    }
    return (int) v;
  }

  private static double doubleOf(Map<String, String> m, String key) {
    try {
      return Double.parseDouble(get(m, key).trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "training config '" + key + "' = '" + m.get(key) + "' is not a number");
    }
  }

  private static int[] ks(Map<String, String> m) {
    try {
      return Arrays.stream(get(m, "ks").split(","))
          .mapToInt(k -> Integer.parseInt(k.trim()))
          .toArray();
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "training config 'ks' = '" + m.get("ks") + "' is not a list of whole numbers");
    }
  }
}
