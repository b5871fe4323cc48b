package org.sbcnm.training.loop;

import java.util.Map;

/**
 * What one epoch measured.
 *
 * @param epoch 1-based
 * @param loss mean training loss over the epoch's steps
 * @param metrics evaluation on the validation split ("recall@50", "ndcg@10", "mrr", ...); empty
 *     when the run holds out none
 * @param examplesPerSecond training examples per second of step time (excludes evaluation)
 * @param seconds wall time of the epoch's training steps
 */
public record EpochMetrics(
    int epoch,
    double loss,
    Map<String, Double> metrics,
    double examplesPerSecond,
    double seconds) {}
