package org.sbcnm.datasets.prepared;

import it.unimi.dsi.fastutil.doubles.DoubleArrayList;
import it.unimi.dsi.fastutil.floats.FloatArrayList;
import it.unimi.dsi.fastutil.ints.IntArrayList;
import it.unimi.dsi.fastutil.longs.LongArrayList;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import org.sbcnm.engine.io.AtomicFiles;
import org.sbcnm.engine.io.AtomicFolders;
import org.sbcnm.engine.io.FormatException;
import org.sbcnm.engine.io.Npy;
import org.sbcnm.engine.io.NpyArray;
import org.sbcnm.engine.tensor.Tensor;

/**
 * One dataset in the prepared layout of {@code shared/FORMAT.md}: dense query and item features,
 * the two idmaps, the interactions, and the optional categorical side fields and item graph.
 *
 * <p>{@link #read} checks every rule of the layout and reports the first violation with its file,
 * line and field; {@link #write} writes the same layout, each file atomically.
 */
public final class PreparedDataset {
  public static final String Q_FEATS = "q_feats.npy";
  public static final String I_FEATS = "i_feats.npy";
  public static final String Q_IDMAP = "q_idmap.csv";
  public static final String I_IDMAP = "i_idmap.csv";
  public static final String INTERACTIONS = "interactions.csv";
  public static final String Q_SIDE = "q_side_cat.npy";
  public static final String I_SIDE = "i_side_cat.npy";
  public static final String EDGES = "item_edges.csv";
  public static final String ADJ = "item_adj.npy";

  /** Elements of the largest dense adjacency written (1 GiB of float32). */
  private static final long MAX_DENSE_ADJACENCY = 1L << 28;

  private static final String INTERACTIONS_HEADER = "user_id,item_id,rating,timestamp";

  private final Tensor queryFeatures;
  private final Tensor itemFeatures;
  private final IdMap users;
  private final IdMap items;
  private final Interactions interactions;
  private final CategoricalFields querySide;
  private final CategoricalFields itemSide;
  private final ItemEdges itemEdges;
  private final String checksum;

  public PreparedDataset(
      Tensor queryFeatures,
      Tensor itemFeatures,
      IdMap users,
      IdMap items,
      Interactions interactions,
      CategoricalFields querySide,
      CategoricalFields itemSide,
      ItemEdges itemEdges,
      String checksum) {
    if (queryFeatures.rows() != users.size()) {
      throw new IllegalArgumentException(
          "dataset: " + users.size() + " users but q_feats has " + queryFeatures.rows() + " rows");
    }
    if (itemFeatures.rows() != items.size()) {
      throw new IllegalArgumentException(
          "dataset: " + items.size() + " items but i_feats has " + itemFeatures.rows() + " rows");
    }
    if (querySide != null && querySide.rows() != users.size()) {
      throw new IllegalArgumentException(
          "dataset: q_side_cat has " + querySide.rows() + " rows for " + users.size() + " users");
    }
    if (itemSide != null && itemSide.rows() != items.size()) {
      throw new IllegalArgumentException(
          "dataset: i_side_cat has " + itemSide.rows() + " rows for " + items.size() + " items");
    }
    this.queryFeatures = queryFeatures;
    this.itemFeatures = itemFeatures;
    this.users = users;
    this.items = items;
    this.interactions = interactions;
    this.querySide = querySide;
    this.itemSide = itemSide;
    this.itemEdges = itemEdges;
    this.checksum = checksum;
  }

  public Tensor queryFeatures() {
    return queryFeatures;
  }

  public Tensor itemFeatures() {
    return itemFeatures;
  }

  public IdMap users() {
    return users;
  }

  public IdMap items() {
    return items;
  }

  public int numUsers() {
    return users.size();
  }

  public int numItems() {
    return items.size();
  }

  public Interactions interactions() {
    return interactions;
  }

  /** Categorical query fields, or null when the dataset has none. */
  public CategoricalFields querySide() {
    return querySide;
  }

  /** Categorical item fields, or null. */
  public CategoricalFields itemSide() {
    return itemSide;
  }

  /** The item graph, or null. */
  public ItemEdges itemEdges() {
    return itemEdges;
  }

  /**
   * SHA-256 over the files read, in a fixed order (provenance for checkpoints); "" if built in
   * memory.
   */
  public String checksum() {
    return checksum;
  }

  /**
   * Where each file of a dataset is; optional ones may be null or missing on disk.
   *
   * @param queryFeatures q_feats.npy
   * @param queryIdMap q_idmap.csv
   * @param itemFeatures i_feats.npy
   * @param itemIdMap i_idmap.csv
   * @param interactions interactions.csv
   * @param querySide q_side_cat.npy (optional)
   * @param itemSide i_side_cat.npy (optional)
   * @param itemEdges item_edges.csv (optional)
   * @param itemAdjacency item_adj.npy (optional; used when there is no edge list)
   */
  public record Layout(
      Path queryFeatures,
      Path queryIdMap,
      Path itemFeatures,
      Path itemIdMap,
      Path interactions,
      Path querySide,
      Path itemSide,
      Path itemEdges,
      Path itemAdjacency) {
    /** The standard file names inside one folder. */
    public static Layout of(Path dir) {
      return new Layout(
          dir.resolve(Q_FEATS),
          dir.resolve(Q_IDMAP),
          dir.resolve(I_FEATS),
          dir.resolve(I_IDMAP),
          dir.resolve(INTERACTIONS),
          dir.resolve(Q_SIDE),
          dir.resolve(I_SIDE),
          dir.resolve(EDGES),
          dir.resolve(ADJ));
    }
  }

  /**
   * Reads a prepared folder. Unknown raw ids in interactions.csv are an error unless {@code
   * skipUnknownIds}.
   */
  public static PreparedDataset read(Path dir, boolean skipUnknownIds) throws IOException {
    if (!Files.isDirectory(dir)) {
      throw new DatasetException(
          dir
              + ": not a folder (expected a prepared dataset: q_feats.npy, i_feats.npy, q_idmap.csv, i_idmap.csv, interactions.csv)");
    }
    return read(Layout.of(dir), skipUnknownIds);
  }

  /** Reads a dataset whose files are named one by one. */
  public static PreparedDataset read(Layout files, boolean skipUnknownIds) throws IOException {
    MessageDigest digest = sha256();
    Tensor qf = features(files.queryFeatures(), digest);
    Tensor itf = features(files.itemFeatures(), digest);
    IdMap users = IdMap.read(require(files.queryIdMap()));
    IdMap items = IdMap.read(require(files.itemIdMap()));
    digestFile(files.queryIdMap(), digest);
    digestFile(files.itemIdMap(), digest);
    if (qf.rows() != users.size()) {
      throw new DatasetException(
          files.queryFeatures()
              + ": "
              + qf.rows()
              + " rows but "
              + files.queryIdMap()
              + " maps "
              + users.size()
              + " users");
    }
    if (itf.rows() != items.size()) {
      throw new DatasetException(
          files.itemFeatures()
              + ": "
              + itf.rows()
              + " rows but "
              + files.itemIdMap()
              + " maps "
              + items.size()
              + " items");
    }
    Interactions inter =
        readInteractions(require(files.interactions()), users, items, skipUnknownIds);
    digestFile(files.interactions(), digest);
    CategoricalFields qs = side(files.querySide(), users.size(), digest);
    CategoricalFields is = side(files.itemSide(), items.size(), digest);
    ItemEdges edges = null;
    if (files.itemEdges() != null && Files.exists(files.itemEdges())) {
      edges = readEdges(files.itemEdges(), items);
      digestFile(files.itemEdges(), digest);
    } else if (files.itemAdjacency() != null && Files.exists(files.itemAdjacency())) {
      edges = denseAdjacency(files.itemAdjacency(), items.size());
      digestFile(files.itemAdjacency(), digest);
    }
    return new PreparedDataset(qf, itf, users, items, inter, qs, is, edges, hex(digest.digest()));
  }

  private static Path require(Path file) throws DatasetException {
    if (!Files.isRegularFile(file)) {
      throw new DatasetException(file + ": required file is missing");
    }
    return file;
  }

  private static Tensor features(Path file, MessageDigest digest) throws IOException {
    require(file);
    NpyArray a;
    try {
      a = Npy.read(file);
    } catch (FormatException e) {
      throw new DatasetException(e.getMessage(), e);
    }
    if (a.ndim() != 2) {
      throw new DatasetException(
          file
              + ": expected a 2-D float array [rows, dims], found shape "
              + java.util.Arrays.toString(a.shape()));
    }
    Tensor t = Tensor.wrap(a.toFloats(), a.rows(), a.cols());
    float[] f = t.floats();
    for (int k = 0; k < f.length; k++) {
      if (!Float.isFinite(f[k])) {
        throw new DatasetException(
            file
                + ": row "
                + (k / t.cols())
                + ", column "
                + (k % t.cols())
                + " is "
                + f[k]
                + " (features must be finite)");
      }
    }
    digestFile(file, digest);
    return t;
  }

  private static CategoricalFields side(Path file, int rows, MessageDigest digest)
      throws IOException {
    if (file == null || !Files.exists(file)) {
      return null;
    }
    NpyArray a;
    try {
      a = Npy.read(file);
    } catch (FormatException e) {
      throw new DatasetException(e.getMessage(), e);
    }
    if (a.descr().charAt(1) != 'i') {
      throw new DatasetException(file + ": expected int32 or int64 codes, found " + a.descr());
    }
    if (a.ndim() != 2 || a.rows() != rows) {
      throw new DatasetException(
          file
              + ": shape "
              + java.util.Arrays.toString(a.shape())
              + " does not match "
              + rows
              + " rows of the idmap");
    }
    int[] codes;
    try {
      codes = a.toInts();
    } catch (IllegalStateException e) {
      throw new DatasetException(file + ": " + e.getMessage());
    }
    for (int k = 0; k < codes.length; k++) {
      if (codes[k] < 0) {
        throw new DatasetException(
            file
                + ": row "
                + (k / a.cols())
                + ", field "
                + (k % a.cols())
                + " has negative code "
                + codes[k]);
      }
    }
    digestFile(file, digest);
    return new CategoricalFields(rows, a.cols(), codes);
  }

  private static Interactions readInteractions(
      Path file, IdMap users, IdMap items, boolean skipUnknown) throws IOException {
    require(file);
    IntArrayList u = new IntArrayList();
    IntArrayList i = new IntArrayList();
    FloatArrayList r = new FloatArrayList();
    LongArrayList t = new LongArrayList();
    long unknown = 0;
    List<String> examples = new ArrayList<>();
    try (CsvReader csv = new CsvReader(file, ',')) {
      List<String> header = csv.next();
      if (header == null || !String.join(",", header).equals(INTERACTIONS_HEADER)) {
        throw new DatasetException(
            file
                + ":1: expected the header '"
                + INTERACTIONS_HEADER
                + "', found '"
                + (header == null ? "" : String.join(",", header))
                + "'");
      }
      try (RecordPipe pipe = new RecordPipe(csv, file, 4, INTERACTIONS_HEADER)) {
        for (RecordPipe.Batch batch = pipe.next(null); batch != null; batch = pipe.next(batch)) {
          for (int k = 0; k < batch.size; k++) {
            long line = batch.lines[k];
            String userId = batch.fields[0][k];
            String itemId = batch.fields[1][k];
            String ratingText = batch.fields[2][k];
            String timeText = batch.fields[3][k];
            int ui = users.indexOf(userId);
            int ii = items.indexOf(itemId);
            if (ui < 0 || ii < 0) {
              unknown++;
              if (examples.size() < 3) {
                examples.add(
                    "line "
                        + line
                        + ": "
                        + (ui < 0 ? "user_id '" + userId + "'" : "item_id '" + itemId + "'"));
              }
              continue;
            }
            float rating;
            try {
              rating = Float.parseFloat(ratingText);
            } catch (NumberFormatException e) {
              throw new DatasetException(
                  file
                      + ":"
                      + line
                      + ": field rating: expected a number, found '"
                      + ratingText
                      + "'");
            }
            if (!Float.isFinite(rating)) {
              throw new DatasetException(
                  file
                      + ":"
                      + line
                      + ": field rating: expected a finite number, found '"
                      + ratingText
                      + "'");
            }
            long ts;
            try {
              ts = Long.parseLong(timeText.trim());
            } catch (NumberFormatException e) {
              throw new DatasetException(
                  file
                      + ":"
                      + line
                      + ": field timestamp: expected a whole number, found '"
                      + timeText
                      + "'");
            }
            u.add(ui);
            i.add(ii);
            r.add(rating);
            t.add(ts);
          }
        }
      }
    }
    if (unknown > 0 && !skipUnknown) {
      throw new DatasetException(
          file
              + ": "
              + unknown
              + " interaction(s) name ids no idmap knows ("
              + String.join("; ", examples)
              + "); fix the idmaps or skip such lines on purpose (--skip_unknown_ids)");
    }
    return new Interactions(u.toIntArray(), i.toIntArray(), r.toFloatArray(), t.toLongArray());
  }

  private static ItemEdges readEdges(Path file, IdMap items) throws IOException {
    IntArrayList s = new IntArrayList();
    IntArrayList d = new IntArrayList();
    DoubleArrayList w = new DoubleArrayList();
    try (CsvReader csv = new CsvReader(file, ',')) {
      List<String> header = csv.next();
      if (header == null || !String.join(",", header).equals("src,dst,weight")) {
        throw new DatasetException(file + ":1: expected the header 'src,dst,weight'");
      }
      List<String> f;
      while ((f = csv.next()) != null) {
        if (f.size() == 1 && f.get(0).isEmpty()) {
          continue;
        }
        if (f.size() != 3) {
          throw new DatasetException(
              file + ":" + csv.line() + ": expected 3 fields (src,dst,weight), found " + f.size());
        }
        int a = items.indexOf(f.get(0));
        int b = items.indexOf(f.get(1));
        if (a < 0 || b < 0) {
          throw new DatasetException(
              file
                  + ":"
                  + csv.line()
                  + ": "
                  + (a < 0 ? "src" : "dst")
                  + " item '"
                  + f.get(a < 0 ? 0 : 1)
                  + "' is not in "
                  + I_IDMAP);
        }
        double weight;
        try {
          weight = Double.parseDouble(f.get(2));
        } catch (NumberFormatException e) {
          throw new DatasetException(
              file
                  + ":"
                  + csv.line()
                  + ": field weight: expected a number, found '"
                  + f.get(2)
                  + "'");
        }
        if (!(weight >= 0) || Double.isInfinite(weight)) {
          throw new DatasetException(
              file
                  + ":"
                  + csv.line()
                  + ": field weight: expected a finite number >= 0, found '"
                  + f.get(2)
                  + "'");
        }
        s.add(a);
        d.add(b);
        w.add(weight);
      }
    }
    return new ItemEdges(s.toIntArray(), d.toIntArray(), w.toDoubleArray());
  }

  private static ItemEdges denseAdjacency(Path file, int numItems) throws IOException {
    Tensor a;
    try {
      a = Npy.readFloat32(file);
    } catch (FormatException e) {
      throw new DatasetException(e.getMessage(), e);
    }
    if (a.rows() != numItems || a.cols() != numItems) {
      throw new DatasetException(
          file
              + ": shape ["
              + a.rows()
              + ", "
              + a.cols()
              + "] is not ["
              + numItems
              + ", "
              + numItems
              + "]");
    }
    IntArrayList s = new IntArrayList();
    IntArrayList d = new IntArrayList();
    DoubleArrayList w = new DoubleArrayList();
    for (int i = 0; i < numItems; i++) {
      for (int j = i + 1; j < numItems; j++) {
        double v = Math.max(a.get(i, j), a.get(j, i));
        if (v != 0) {
          s.add(i);
          d.add(j);
          w.add(v);
        }
      }
    }
    return new ItemEdges(s.toIntArray(), d.toIntArray(), w.toDoubleArray());
  }

  /**
   * Writes the layout so that {@code dir} never holds a half-written dataset nor a mix of two:
   * everything goes to a temporary sibling folder first, which is then renamed to {@code dir} in
   * one step. A non-empty {@code dir} is refused; on failure {@code dir} is untouched.
   */
  public void writeAtomically(Path dir) throws IOException {
    writeAtomically(dir, false, false);
  }

  /**
   * {@link #writeAtomically(Path)}, with {@code item_adj.npy} too when {@code denseAdjacency}: the
   * item graph as a dense float32 [n, n] matrix, the original project's form (A[s][t] = A[t][s] =
   * the edge's weight; small catalogues only).
   *
   * @param replace whether a non-empty {@code dir} is replaced as a whole (else refused with {@link
   *     AtomicFolders.NotEmptyException})
   */
  public void writeAtomically(Path dir, boolean denseAdjacency, boolean replace)
      throws IOException {
    if (denseAdjacency) {
      if (itemEdges == null) {
        throw new DatasetException(dir + ": no item graph to write as " + ADJ);
      }
      if ((long) items.size() * items.size() > MAX_DENSE_ADJACENCY) {
        throw new DatasetException(
            ADJ
                + ": "
                + items.size()
                + " items make a dense ["
                + items.size()
                + ", "
                + items.size()
                + "] matrix over 1 GiB; use "
                + EDGES);
      }
    }
    AtomicFolders.write(
        dir,
        replace,
        tmp -> {
          write(tmp);
          if (denseAdjacency) {
            Npy.write(tmp.resolve(ADJ), denseAdjacency());
          }
        });
  }

  /** The item graph as a dense float32 [n, n] adjacency. */
  private Tensor denseAdjacency() {
    int n = items.size();
    Tensor a = Tensor.zeros(n, n);
    org.sbcnm.engine.sparse.CsrMatrix csr = itemEdges.adjacency(n);
    double[][] dense = csr.toDense();
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++) {
        a.set(i, j, (float) dense[i][j]);
      }
    }
    return a;
  }

  /** Writes the layout into {@code dir} (created if needed), each file atomically. */
  public void write(Path dir) throws IOException {
    Files.createDirectories(dir);
    Npy.write(dir.resolve(Q_FEATS), queryFeatures);
    Npy.write(dir.resolve(I_FEATS), itemFeatures);
    users.write(dir.resolve(Q_IDMAP));
    items.write(dir.resolve(I_IDMAP));
    AtomicFiles.write(
        dir.resolve(INTERACTIONS),
        out -> {
          BufferedWriter w =
              new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), 1 << 16);
          w.write(INTERACTIONS_HEADER);
          w.write('\n');
          for (int k = 0; k < interactions.size(); k++) {
            w.write(Csv.quote(users.rawId(interactions.user(k))));
            w.write(',');
            w.write(Csv.quote(items.rawId(interactions.item(k))));
            w.write(',');
            w.write(Csv.rating(interactions.rating(k)));
            w.write(',');
            w.write(Long.toString(interactions.timestamp(k)));
            w.write('\n');
          }
          w.flush();
        });
    if (querySide != null) {
      Npy.writeInts(dir.resolve(Q_SIDE), querySide.codes(), querySide.rows(), querySide.fields());
    }
    if (itemSide != null) {
      Npy.writeInts(dir.resolve(I_SIDE), itemSide.codes(), itemSide.rows(), itemSide.fields());
    }
    if (itemEdges != null) {
      AtomicFiles.write(
          dir.resolve(EDGES),
          out -> {
            BufferedWriter w =
                new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), 1 << 16);
            w.write("src,dst,weight\n");
            for (int k = 0; k < itemEdges.size(); k++) {
              double weight = itemEdges.weight(k);
              w.write(
                  Csv.quote(items.rawId(itemEdges.src(k)))
                      + ","
                      + Csv.quote(items.rawId(itemEdges.dst(k)))
                      + ","
                      + (weight == (long) weight
                          ? Long.toString((long) weight)
                          : Double.toString(weight))
                      + "\n");
            }
            w.flush();
          });
    }
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every JVM", e);
    }
  }

  private static void digestFile(Path file, MessageDigest digest) throws IOException {
    digest.update(file.getFileName().toString().getBytes(StandardCharsets.UTF_8));
    try (InputStream in = new DigestInputStream(Files.newInputStream(file), digest)) {
      byte[] buf = new byte[1 << 16];
      while (in.read(buf) >= 0) {
        // the stream feeds the digest
      }
    }
  }

  private static String hex(byte[] b) {
    StringBuilder sb = new StringBuilder();
    for (byte x : b) {
      sb.append(String.format("%02x", x));
    }
    return sb.toString();
  }
}
