package org.sbcnm.training.loop;

import java.util.List;
import java.util.Map;
import org.sbcnm.towers.tower.TwoTowerModel;

/**
 * The outcome of a run.
 *
 * @param model the trained model (the best epoch's parameters when early stopping chose one)
 * @param epochs per-epoch metrics of this run (a resumed run lists only the epochs it ran)
 * @param finalMetrics evaluation of the returned model on the test split (empty when the run was
 *     made {@link Trainer#withoutTestScore()})
 * @param trainExamplesPerSecond training examples per second over the run's steps
 * @param trainSeconds wall time spent in training steps
 * @param completed false when the run stopped early on purpose (stopAfterSteps)
 */
public record TrainResult(
    TwoTowerModel model,
    List<EpochMetrics> epochs,
    Map<String, Double> finalMetrics,
    double trainExamplesPerSecond,
    double trainSeconds,
    boolean completed) {}
