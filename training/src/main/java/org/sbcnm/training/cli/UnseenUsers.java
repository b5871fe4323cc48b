package org.sbcnm.training.cli;

import java.util.Arrays;
import java.util.List;
import org.sbcnm.datasets.prepared.IdMap;
import org.sbcnm.datasets.prepared.PreparedDataset;
import org.sbcnm.datasets.split.HeldOutSplit;
import org.sbcnm.engine.autograd.Tape;
import org.sbcnm.engine.tensor.Tensor;
import org.sbcnm.towers.config.TowerKind;
import org.sbcnm.towers.tower.Tower;
import org.sbcnm.training.retrieval.Exclusions;
import picocli.CommandLine.Option;

/**
 * How {@code retrieve} serves users its idmap does not hold: a history query tower embeds them from
 * the items given with {@code --history} (which are then excluded from their results, as a known
 * user's training items are); an ID query tower with hashed ids serves them from their raw id's
 * bucket, with the side codes and dense features given.
 */
final class UnseenUsers {
  @Option(
      names = "--history",
      split = ",",
      paramLabel = "ITEM_IDS",
      description =
          "Raw item ids that users not in the idmap interacted with, oldest first: a history query tower embeds them from these (the most recent --history_length count), and they are excluded from the results.")
  List<String> history;

  @Option(
      names = "--user_side",
      split = ",",
      paramLabel = "CODES",
      description =
          "Side-field codes (q_side_cat.npy's fields) for users not in the idmap: served from their hashed id's bucket, or with --history.")
  int[] userSide;

  @Option(
      names = "--user_features",
      split = ",",
      paramLabel = "VALUES",
      description =
          "Dense features for users not in the idmap, when the id tower reads them (--use_dense).")
  float[] userFeatures;

  /**
   * The query embeddings of the users not in the idmap (idx −1), in order.
   *
   * @param users the raw ids asked for, one per idx entry
   */
  Tensor embed(
      Tape t,
      Checkpoints.Loaded loaded,
      PreparedDataset d,
      List<String> users,
      int[] idx,
      int unseen) {
    Tower q = loaded.model().query();
    String first = null;
    long[] keys = new long[unseen];
    int u = 0;
    for (int r = 0; r < idx.length; r++) {
      if (idx[r] < 0) {
        first = first == null ? users.get(r) : first;
        keys[u++] = IdMap.hashKey(users.get(r));
      }
    }
    if (q.config().kind() == TowerKind.HISTORY) {
      return byHistory(t, q, d, loaded.historyLength(), first, unseen);
    }
    if (q.idTable() == null || !q.idTable().isHashed()) {
      throw new CliException(
          "--user '"
              + first
              + "' is not in "
              + PreparedDataset.Q_IDMAP
              + " (an unseen user is served by a history query tower with --history, or by an id query tower with hashed ids: train with --query_tower id --id_hash_buckets N)");
    }
    int[] codes = sideCodes(q, first, unseen);
    Tensor dense = null;
    if (q.config().useDense()) {
      int width = q.data().dense().cols();
      if (userFeatures == null || userFeatures.length != width) {
        throw unseenUser(first, width + " dense features with --user_features");
      }
      dense = Tensor.zeros(unseen, width);
      for (int r = 0; r < unseen; r++) {
        for (int c = 0; c < width; c++) {
          dense.set(r, c, userFeatures[c]);
        }
      }
    }
    try {
      return q.embedUnseen(t, keys, codes, dense, unseen).value();
    } catch (IllegalArgumentException e) {
      throw new CliException("--user_side: " + e.getMessage());
    }
  }

  /**
   * What each user's results leave out: a known user's training items, an unseen user's {@code
   * --history} items.
   */
  Exclusions exclusions(PreparedDataset d, HeldOutSplit split, int[] idx) {
    Exclusions known =
        Exclusions.ofUsers(split.userTrainPtr(), split.userTrainItems(), idx, 0, idx.length);
    int[] given = history == null ? new int[0] : historyItems(d);
    int[] distinct = Arrays.stream(given).distinct().sorted().toArray();
    int[] ptr = new int[idx.length + 1];
    int[] items = new int[known.items().length + idx.length * distinct.length];
    for (int r = 0; r < idx.length; r++) {
      int from = known.ptr()[r];
      int n = known.ptr()[r + 1] - from;
      if (idx[r] < 0) {
        System.arraycopy(distinct, 0, items, ptr[r], distinct.length);
        n = distinct.length;
      } else {
        System.arraycopy(known.items(), from, items, ptr[r], n);
      }
      ptr[r + 1] = ptr[r] + n;
    }
    return new Exclusions(ptr, Arrays.copyOf(items, ptr[idx.length]));
  }

  /** Unseen users embedded by a history tower from the same --history items each. */
  private Tensor byHistory(
      Tape t, Tower q, PreparedDataset d, int historyLength, String first, int unseen) {
    if (history == null || history.isEmpty()) {
      throw unseenUser(first, "items with --history (the query tower reads a user's items)");
    }
    int[] given = historyItems(d);
    // The most recent items, as training built the bags.
    int[] recent =
        Arrays.copyOfRange(given, Math.max(0, given.length - historyLength), given.length);
    int[] offsets = new int[unseen + 1];
    int[] items = new int[unseen * recent.length];
    for (int r = 0; r < unseen; r++) {
      System.arraycopy(recent, 0, items, r * recent.length, recent.length);
      offsets[r + 1] = offsets[r] + recent.length;
    }
    try {
      return q.embedHistory(t, offsets, items, sideCodes(q, first, unseen), unseen).value();
    } catch (IllegalArgumentException e) {
      throw new CliException("--user_side: " + e.getMessage());
    }
  }

  private int[] historyItems(PreparedDataset d) {
    int[] items = new int[history.size()];
    for (int k = 0; k < items.length; k++) {
      items[k] = d.items().indexOf(history.get(k).trim());
      if (items[k] < 0) {
        throw new CliException(
            "--history: item '" + history.get(k) + "' is not in " + PreparedDataset.I_IDMAP);
      }
    }
    return items;
  }

  /** The --user_side codes repeated for each unseen user, or null when the tower has no fields. */
  private int[] sideCodes(Tower q, String first, int unseen) {
    int fields = q.data().sideFields();
    if (fields == 0) {
      return null;
    }
    if (userSide == null || userSide.length != fields) {
      throw unseenUser(
          first,
          fields
              + " side-field codes with --user_side (got "
              + (userSide == null ? 0 : userSide.length)
              + ")");
    }
    int[] codes = new int[unseen * fields];
    for (int r = 0; r < unseen; r++) {
      System.arraycopy(userSide, 0, codes, r * fields, fields);
    }
    return codes;
  }

  private static CliException unseenUser(String user, String needed) {
    return new CliException(
        "--user '" + user + "' is not in " + PreparedDataset.Q_IDMAP + ": give its " + needed);
  }
}
