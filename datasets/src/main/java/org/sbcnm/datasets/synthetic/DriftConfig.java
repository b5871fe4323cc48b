package org.sbcnm.datasets.synthetic;

/**
 * Parameters of the drifting stream ({@link DriftingGenerator}).
 *
 * @param users number of users
 * @param items number of items
 * @param periods number of periods (one day each)
 * @param perPeriod distinct items an active user picks in a period
 * @param active share of the users active in each period, in (0, 1]
 * @param zipf popularity exponent: pop(rank r) ∝ (r + 1)^−zipf
 * @param beta weight of log-popularity in the choice logits
 * @param affinityTemperature temperature of ⟨u, v⟩ in the choice logits
 * @param drift share of the items whose popularity ranks are shuffled among themselves between two
 *     periods, in [0, 1]
 * @param seed seeds everything
 */
public record DriftConfig(
    int users,
    int items,
    int periods,
    int perPeriod,
    double active,
    double zipf,
    double beta,
    double affinityTemperature,
    double drift,
    long seed) {
  public DriftConfig {
    if (users < 1 || items < 2 || periods < 2 || perPeriod < 1 || perPeriod > items) {
      throw new IllegalArgumentException(
          "drifting: users >= 1, items >= 2, periods >= 2, 1 <= per_period <= items");
    }
    if (!(active > 0 && active <= 1) || !(drift >= 0 && drift <= 1)) {
      throw new IllegalArgumentException("drifting: active in (0, 1], drift in [0, 1]");
    }
    if (!(zipf >= 0) || !(beta >= 0) || !(affinityTemperature > 0)) {
      throw new IllegalArgumentException("drifting: zipf, beta >= 0 and affinity temperature > 0");
    }
  }

  /**
   * 2,000 users, 500 items, 8 periods, 8 picks per active user, half the users active each period,
   * Zipf 1.1 at full weight, affinity temperature 0.1, and a fifth of the items trading popularity
   * ranks between periods.
   */
  public static DriftConfig defaults(long seed) {
    return new DriftConfig(2000, 500, 8, 8, 0.5, 1.1, 1.0, 0.1, 0.2, seed);
  }
}
