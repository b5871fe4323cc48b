package org.sbcnm.datasets.split;

import java.util.Arrays;
import org.sbcnm.datasets.prepared.Interactions;

/**
 * The held-out split: for every user, the interaction with the largest timestamp (ties: the later
 * line of the file, as the PyTorch reference) is the test item and the others train; a user with a
 * single interaction only trains. Also indexes each user's training items (sorted, distinct) for
 * excluding them from rankings.
 */
public final class HeldOutSplit {
  private final Interactions train;
  private final int[] testUsers;
  private final int[] testItems;
  private final int[] userTrainPtr;
  private final int[] userTrainItems;

  private HeldOutSplit(
      Interactions train, int[] testUsers, int[] testItems, int[] ptr, int[] items) {
    this.train = train;
    this.testUsers = testUsers;
    this.testItems = testItems;
    this.userTrainPtr = ptr;
    this.userTrainItems = items;
  }

  public static HeldOutSplit of(Interactions all, int numUsers) {
    int n = all.size();
    int[] last = new int[numUsers];
    int[] count = new int[numUsers];
    Arrays.fill(last, -1);
    for (int k = 0; k < n; k++) {
      int u = all.user(k);
      count[u]++;
      // >= keeps the later line on equal timestamps.
      if (last[u] < 0 || all.timestamp(k) >= all.timestamp(last[u])) {
        last[u] = k;
      }
    }
    boolean[] isTest = new boolean[n];
    int tests = 0;
    for (int u = 0; u < numUsers; u++) {
      if (count[u] >= 2) {
        isTest[last[u]] = true;
        tests++;
      }
    }
    int[] keep = new int[n - tests];
    int[] testUsers = new int[tests];
    int[] testItems = new int[tests];
    int w = 0;
    int t = 0;
    for (int k = 0; k < n; k++) {
      if (isTest[k]) {
        testUsers[t] = all.user(k);
        testItems[t++] = all.item(k);
      } else {
        keep[w++] = k;
      }
    }
    // Order test cases by user so evaluation is deterministic whatever the file order.
    long[] packed = new long[tests];
    for (int k = 0; k < tests; k++) {
      packed[k] = ((long) testUsers[k] << 32) | testItems[k];
    }
    Arrays.sort(packed);
    for (int k = 0; k < tests; k++) {
      testUsers[k] = (int) (packed[k] >>> 32);
      testItems[k] = (int) packed[k];
    }
    return withTests(all.select(keep, keep.length), testUsers, testItems, numUsers);
  }

  /** Every interaction trains and none is held out: one period of a stream, while it trains. */
  public static HeldOutSplit none(Interactions all, int numUsers) {
    return withTests(all, new int[0], new int[0], numUsers);
  }

  /**
   * The next period's evaluation: a test case for each distinct (user, item) of {@code next} whose
   * user has {@code earlier} interactions and whose item is not among them, ordered by user then
   * item; the earlier items are what the ranking leaves out (and what a history tower's bags hold).
   */
  public static HeldOutSplit nextPeriod(Interactions earlier, Interactions next, int numUsers) {
    HeldOutSplit before = none(earlier, numUsers);
    long[] packed = new long[next.size()];
    int n = 0;
    for (int k = 0; k < next.size(); k++) {
      int u = next.user(k);
      int i = next.item(k);
      if (before.userTrainPtr[u + 1] > before.userTrainPtr[u] && !before.hasTrained(u, i)) {
        packed[n++] = ((long) u << 32) | i;
      }
    }
    Arrays.sort(packed, 0, n);
    int[] users = new int[n];
    int[] items = new int[n];
    int m = 0;
    for (int k = 0; k < n; k++) {
      if (k == 0 || packed[k] != packed[k - 1]) {
        users[m] = (int) (packed[k] >>> 32);
        items[m++] = (int) packed[k];
      }
    }
    return new HeldOutSplit(
        earlier,
        Arrays.copyOf(users, m),
        Arrays.copyOf(items, m),
        before.userTrainPtr,
        before.userTrainItems);
  }

  private boolean hasTrained(int user, int item) {
    return Arrays.binarySearch(userTrainItems, userTrainPtr[user], userTrainPtr[user + 1], item)
        >= 0;
  }

  /** The split of these test cases, indexing each user's distinct training items. */
  private static HeldOutSplit withTests(
      Interactions train, int[] testUsers, int[] testItems, int numUsers) {
    int[] ptr = new int[numUsers + 1];
    for (int k = 0; k < train.size(); k++) {
      ptr[train.user(k) + 1]++;
    }
    for (int u = 0; u < numUsers; u++) {
      ptr[u + 1] += ptr[u];
    }
    int[] items = new int[train.size()];
    int[] fill = Arrays.copyOf(ptr, numUsers);
    for (int k = 0; k < train.size(); k++) {
      items[fill[train.user(k)]++] = train.item(k);
    }
    // Sort and deduplicate each user's items in place, then compact.
    int[] dedupPtr = new int[numUsers + 1];
    int out = 0;
    for (int u = 0; u < numUsers; u++) {
      Arrays.sort(items, ptr[u], ptr[u + 1]);
      dedupPtr[u] = out;
      for (int k = ptr[u]; k < ptr[u + 1]; k++) {
        if (k == ptr[u] || items[k] != items[k - 1]) {
          items[out++] = items[k];
        }
      }
    }
    dedupPtr[numUsers] = out;
    return new HeldOutSplit(train, testUsers, testItems, dedupPtr, Arrays.copyOf(items, out));
  }

  /** The training interactions, in file order. */
  public Interactions train() {
    return train;
  }

  /** Number of test cases (users with at least two interactions). */
  public int testSize() {
    return testUsers.length;
  }

  /** Test users, ascending. */
  public int[] testUsers() {
    return testUsers;
  }

  /** The held-out item of each test user. */
  public int[] testItems() {
    return testItems;
  }

  /** Start of user u's training items in {@link #userTrainItems()}; entry u+1 is the end. */
  public int[] userTrainPtr() {
    return userTrainPtr;
  }

  /** Every user's distinct training items, ascending within a user. */
  public int[] userTrainItems() {
    return userTrainItems;
  }
}
