package org.sbcnm.training.serve;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.sbcnm.datasets.prepared.IdMap;
import org.sbcnm.datasets.prepared.PreparedDataset;
import org.sbcnm.datasets.split.HeldOutSplit;
import org.sbcnm.datasets.split.UserHistories;
import org.sbcnm.engine.autograd.Tape;
import org.sbcnm.engine.io.FormatException;
import org.sbcnm.engine.io.TensorBundle;
import org.sbcnm.engine.tensor.Tensor;
import org.sbcnm.towers.config.TowerKind;
import org.sbcnm.towers.tower.Tower;
import org.sbcnm.towers.tower.TwoTowerModel;
import org.sbcnm.training.eval.QueryEncoder;
import org.sbcnm.training.loop.CheckpointCodec;
import org.sbcnm.training.loop.CheckpointFiles;
import org.sbcnm.training.loop.Models;
import org.sbcnm.training.retrieval.ExactIndex;
import org.sbcnm.training.retrieval.Exclusions;
import org.sbcnm.training.retrieval.HnswIndex;
import org.sbcnm.training.retrieval.IndexFiles;
import org.sbcnm.training.retrieval.PopularityControl;
import org.sbcnm.training.sampling.SamplingProbabilities;

/**
 * One loaded model, ready to answer: what {@link RetrievalServer} swaps whole on a reload.
 *
 * <p>At load every known user's query embedding is computed once ([users, d]; a history tower reads
 * the user's most recent items of the whole dataset), so a known user's request is one row against
 * the item embeddings [N, d]: exact by GEMM and top-K, or through an HNSW index file. The items a
 * user has interacted with (any interaction in the dataset) are left out unless asked otherwise.
 * Scores are ⟨u, v⟩, or ⟨u, v⟩ − β·τ·log p̂ with the popularity control β (exact search only).
 *
 * <p>Refused at load, with the file and the reason: a damaged or truncated checkpoint, a model of
 * another dataset (its data checksum differs), non-finite weights, an index of another catalogue or
 * width. Immutable after load, so any number of threads may query it; the query tower, which keeps
 * per-call buffers, runs for one request at a time (unseen users only).
 */
public final class ServingModel {
  private final String version;
  private final long loadedAtMillis;
  private final PreparedDataset data;
  private final TwoTowerModel model;
  private final Tensor users;
  private final ExactIndex exact;
  private final HnswIndex hnsw;
  private final HeldOutSplit seen;
  private final SamplingProbabilities probabilities;
  private final int historyLength;

  private ServingModel(
      String version,
      PreparedDataset data,
      TwoTowerModel model,
      Tensor users,
      HnswIndex hnsw,
      HeldOutSplit seen,
      SamplingProbabilities probabilities,
      int historyLength) {
    this.version = version;
    this.loadedAtMillis = System.currentTimeMillis();
    this.data = data;
    this.model = model;
    this.users = users;
    this.exact = new ExactIndex(model.itemEmbeddings());
    this.hnsw = hnsw;
    this.seen = seen;
    this.probabilities = probabilities;
    this.historyLength = historyLength;
  }

  /**
   * Loads the checkpoint {@code ckpt} (the latest numbered file for a {@code {}} name) over {@code
   * data}, with the HNSW or exact index file {@code index} when not null.
   */
  public static ServingModel load(Path ckpt, PreparedDataset data, Path index) throws IOException {
    Path file = CheckpointFiles.latest(ckpt);
    TensorBundle b = TensorBundle.read(file);
    CheckpointCodec.checkFormat(b, file);
    String sum = b.meta("data.checksum");
    if (sum != null && !sum.isEmpty() && !sum.equals(data.checksum())) {
      throw new FormatException(
          file
              + ": was trained on other data (checksum "
              + sum
              + ", served "
              + data.checksum()
              + ")");
    }
    TwoTowerModel model;
    try {
      model = Models.build(TwoTowerModel.configOf(b), data, b);
      model.load(b);
    } catch (IllegalArgumentException e) {
      throw new FormatException(file + ": " + e.getMessage());
    }
    SamplingProbabilities p = CheckpointCodec.readProbabilities(b, data.numItems());
    int historyLength = CheckpointCodec.readHistoryLength(b);
    HeldOutSplit seen = HeldOutSplit.none(data.interactions(), data.numUsers());
    Tensor users = embedUsers(model, data, historyLength);
    HnswIndex hnsw = index == null ? null : readIndex(index, data, model);
    String version =
        file.getFileName()
            + "@"
            + Files.getLastModifiedTime(file).toInstant()
            + (index == null ? "" : "+" + index.getFileName());
    return new ServingModel(version, data, model, users, hnsw, seen, p, historyLength);
  }

  /**
   * An HNSW index file, checked against the model; an exact one, checked too, adds nothing to the
   * exact search built here (null).
   */
  private static HnswIndex readIndex(Path index, PreparedDataset data, TwoTowerModel model)
      throws IOException {
    HnswIndex h = null;
    int size;
    int dim;
    if (IndexFiles.kindOf(index).equals("hnsw")) {
      h = IndexFiles.readHnsw(index);
      size = h.size();
      dim = h.dim();
    } else {
      ExactIndex e = IndexFiles.readExact(index);
      size = e.size();
      dim = e.dim();
    }
    if (size != data.numItems() || dim != model.config().item().outDim()) {
      throw new FormatException(
          index
              + ": an index of "
              + size
              + " items x "
              + dim
              + ", the model serves "
              + data.numItems()
              + " x "
              + model.config().item().outDim());
    }
    return h;
  }

  /** Every known user's query embedding; a history tower reads the whole dataset's bags. */
  private static Tensor embedUsers(TwoTowerModel model, PreparedDataset data, int historyLength) {
    UserHistories bags =
        model.config().query().kind() == TowerKind.HISTORY
            ? UserHistories.of(data.interactions(), data.numUsers())
            : null;
    return QueryEncoder.embedAll(model, QueryEncoder.of(bags, historyLength), data.numUsers());
  }

  /** "FILE@modified-time[+INDEX]": which model answers. */
  public String version() {
    return version;
  }

  public long loadedAtMillis() {
    return loadedAtMillis;
  }

  public IdMap users() {
    return data.users();
  }

  public IdMap items() {
    return data.items();
  }

  /** Whether searches go through an HNSW index (approximate; no popularity control). */
  public boolean approximate() {
    return hnsw != null;
  }

  /** The query tower's kind: what a request for an unseen user must give. */
  public TowerKind queryKind() {
    return model.config().query().kind();
  }

  /** Whether the query tower hashes raw ids, so an unseen user id has a bucket. */
  public boolean hashedUsers() {
    Tower q = model.query();
    return q.idTable() != null && q.idTable().isHashed();
  }

  /** Side fields the query tower reads. */
  public int querySideFields() {
    TowerKind k = queryKind();
    boolean reads = k == TowerKind.ID || k == TowerKind.HISTORY || k == TowerKind.LIGHTGCN;
    return reads ? model.query().data().sideFields() : 0;
  }

  /** Dense features an unseen user must give: the query tower's input width, or 0. */
  public int queryFeatures() {
    Tower q = model.query();
    boolean reads =
        q.config().useDense() || queryKind() == TowerKind.MLP || queryKind() == TowerKind.DCN;
    return reads ? q.data().dense().cols() : 0;
  }

  /** The top {@code k} of a known user (index), its items left out unless {@code includeSeen}. */
  public Ranked recommend(int user, int k, boolean includeSeen, double beta) {
    return recommendAll(new int[] {user}, new boolean[] {includeSeen}, k, beta)[0];
  }

  /**
   * The top {@code k} of several known users in one search (one GEMM for all of them when exact),
   * each user's items left out unless {@code includeSeen[r]}.
   */
  public Ranked[] recommendAll(int[] userIdx, boolean[] includeSeen, int k, double beta) {
    int n = userIdx.length;
    int d = users.cols();
    Tensor q = Tensor.zeros(n, d);
    int[] excluding = new int[n];
    for (int r = 0; r < n; r++) {
      System.arraycopy(users.floats(), users.offset() + userIdx[r] * d, q.floats(), r * d, d);
      // −1: a user whose results leave nothing out.
      excluding[r] = includeSeen[r] ? -1 : userIdx[r];
    }
    return search(
        q,
        k,
        Exclusions.ofUsers(seen.userTrainPtr(), seen.userTrainItems(), excluding, 0, n),
        beta);
  }

  /**
   * The top {@code k} of a user the model has not seen, from the items they interacted with (oldest
   * first; a history tower) or from their raw id's bucket (a hashed id tower), with side codes and
   * dense features as the tower reads them. The given items are left out unless {@code
   * includeSeen}.
   *
   * @throws IllegalArgumentException naming what the request lacks
   */
  public Ranked recommendUnseen(
      String rawId,
      int[] items,
      int[] side,
      float[] features,
      int k,
      boolean includeSeen,
      double beta) {
    Tensor q;
    synchronized (model) {
      try (Tape t = new Tape().begin()) {
        q = embedUnseen(t, rawId, items, side, features).copy();
      }
    }
    Exclusions ex = null;
    if (!includeSeen && items != null && items.length > 0) {
      int[] distinct = Arrays.stream(items).distinct().sorted().toArray();
      ex = new Exclusions(new int[] {0, distinct.length}, distinct);
    }
    return search(q, k, ex, beta)[0];
  }

  private Tensor embedUnseen(Tape t, String rawId, int[] items, int[] side, float[] features) {
    Tower q = model.query();
    int fields = querySideFields();
    if (queryKind() == TowerKind.HISTORY && (items == null || items.length == 0)) {
      throw new IllegalArgumentException("the history query tower needs 'items' (raw item ids)");
    }
    if (fields > 0 && (side == null || side.length != fields)) {
      throw new IllegalArgumentException(
          "the query tower reads "
              + fields
              + " side fields: give 'side' with "
              + fields
              + " codes");
    }
    if (queryKind() == TowerKind.HISTORY) {
      int[] recent =
          Arrays.copyOfRange(items, Math.max(0, items.length - historyLength), items.length);
      return q.embedHistory(t, new int[] {0, recent.length}, recent, fields > 0 ? side : null, 1)
          .value();
    }
    if (queryKind() == TowerKind.MLP || queryKind() == TowerKind.DCN) {
      int width = q.data().dense().cols();
      if (features == null || features.length != width) {
        throw new IllegalArgumentException(
            "the "
                + queryKind().label()
                + " query tower reads "
                + width
                + " dense features:"
                + " give 'features'");
      }
      return q.embedFeatures(t, Tensor.wrap(features.clone(), 1, width), 1).value();
    }
    if (!hashedUsers()) {
      throw new IllegalArgumentException(
          "this model's "
              + queryKind().label()
              + " query tower cannot embed a user it never saw (a history tower embeds one from"
              + " 'items', an id tower with hashed ids from 'user')");
    }
    if (rawId == null) {
      throw new IllegalArgumentException("give the new user's raw id as 'user' (hashed ids)");
    }
    Tensor dense = null;
    if (queryFeatures() > 0) {
      if (features == null || features.length != queryFeatures()) {
        throw new IllegalArgumentException(
            "the query tower reads " + queryFeatures() + " dense features: give 'features'");
      }
      dense = Tensor.wrap(features.clone(), 1, features.length);
    }
    return q.embedUnseen(t, new long[] {IdMap.hashKey(rawId)}, fields > 0 ? side : null, dense, 1)
        .value();
  }

  /** The {@code k} items most like {@code item} by ⟨vᵢ, vⱼ⟩, the item itself left out. */
  public Ranked similar(int item, int k) {
    Tensor q = exact.embeddings().rowRange(item, 1);
    return search(q, k, new Exclusions(new int[] {0, 1}, new int[] {item}), 0)[0];
  }

  /** The top {@code k} of every query row, each with its exclusions. */
  private Ranked[] search(Tensor q, int k, Exclusions ex, double beta) {
    int n = q.rows();
    int kk = Math.min(k, data.numItems());
    int[] top = new int[n * kk];
    float[] scores = new float[n * kk];
    if (beta > 0) {
      if (hnsw != null) {
        throw new IllegalArgumentException(
            "popularity_beta needs the exact search (this server searches an HNSW index)");
      }
      if (probabilities == null) {
        throw new IllegalArgumentException(
            "popularity_beta: the model was trained without correction (no p̂ to subtract)");
      }
      exact
          .withAdjustment(
              PopularityControl.adjustment(
                  probabilities, data.numItems(), beta, model.config().temperature()))
          .search(q, kk, ex, top, scores);
    } else if (hnsw != null) {
      hnsw.search(q, kk, Math.max(100, kk), ex, top, scores);
    } else {
      exact.search(q, kk, ex, top, scores);
    }
    Ranked[] out = new Ranked[n];
    for (int r = 0; r < n; r++) {
      int m = 0;
      while (m < kk && top[r * kk + m] >= 0) {
        m++;
      }
      out[r] =
          new Ranked(
              Arrays.copyOfRange(top, r * kk, r * kk + m),
              Arrays.copyOfRange(scores, r * kk, r * kk + m));
    }
    return out;
  }

  /** Item indices, best first, and their scores. */
  public record Ranked(int[] items, float[] scores) {
    /** The first {@code k} (all when fewer). */
    public Ranked first(int k) {
      return k >= items.length
          ? this
          : new Ranked(Arrays.copyOf(items, k), Arrays.copyOf(scores, k));
    }
  }
}
