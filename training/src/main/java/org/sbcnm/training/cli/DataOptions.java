package org.sbcnm.training.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.sbcnm.datasets.prepared.PreparedDataset;
import picocli.CommandLine.Option;

/** Where the dataset is: a prepared folder, or the original project's individual files. */
final class DataOptions {
  @Option(
      names = "--data",
      paramLabel = "DIR",
      description = "Prepared dataset folder (shared/FORMAT.md).")
  Path data;

  @Option(
      names = "--q_feats_npy",
      paramLabel = "FILE",
      description = "Query features (instead of --data).")
  Path qFeats;

  @Option(
      names = "--q_idmap_csv",
      paramLabel = "FILE",
      description = "Query idmap (instead of --data).")
  Path qIdmap;

  @Option(
      names = "--i_feats_npy",
      paramLabel = "FILE",
      description = "Item features (instead of --data).")
  Path iFeats;

  @Option(
      names = "--i_idmap_csv",
      paramLabel = "FILE",
      description = "Item idmap (instead of --data).")
  Path iIdmap;

  @Option(
      names = "--inter_csv",
      paramLabel = "FILE",
      description = "Interactions (instead of --data).")
  Path inter;

  @Option(
      names = "--q_side_cat_npy",
      paramLabel = "FILE",
      description = "Categorical query fields (optional).")
  Path qSide;

  @Option(
      names = "--item_adj_npy",
      paramLabel = "FILE",
      description = "Dense item adjacency for the GCN tower (optional).")
  Path itemAdj;

  @Option(
      names = "--skip_unknown_ids",
      description = "Skip interactions whose ids no idmap knows (default: error).")
  boolean skipUnknown;

  PreparedDataset load() throws IOException {
    if (data != null && !java.nio.file.Files.isDirectory(data)) {
      throw new CliException(data + ": not a folder (expected a prepared dataset)");
    }
    return PreparedDataset.read(layout(), skipUnknown);
  }

  /** The files the dataset is read from: a prepared folder's, or the five files and extras. */
  PreparedDataset.Layout layout() {
    if (data != null) {
      PreparedDataset.Layout l = PreparedDataset.Layout.of(data);
      if (qSide == null && itemAdj == null) {
        return l;
      }
      return new PreparedDataset.Layout(
          l.queryFeatures(),
          l.queryIdMap(),
          l.itemFeatures(),
          l.itemIdMap(),
          l.interactions(),
          qSide != null ? qSide : l.querySide(),
          l.itemSide(),
          itemAdj != null ? null : l.itemEdges(),
          itemAdj != null ? itemAdj : l.itemAdjacency());
    }
    if (qFeats == null || qIdmap == null || iFeats == null || iIdmap == null || inter == null) {
      throw new CliException(
          "give --data DIR, or all of --q_feats_npy --q_idmap_csv --i_feats_npy --i_idmap_csv --inter_csv");
    }
    return new PreparedDataset.Layout(
        qFeats, qIdmap, iFeats, iIdmap, inter, qSide, null, null, itemAdj);
  }

  /** Every file of {@link #layout()} that exists: what no output of a command may overwrite. */
  List<Path> inputFiles() {
    PreparedDataset.Layout l = layout();
    List<Path> files = new ArrayList<>();
    for (Path f :
        new Path[] {
          l.queryFeatures(),
          l.queryIdMap(),
          l.itemFeatures(),
          l.itemIdMap(),
          l.interactions(),
          l.querySide(),
          l.itemSide(),
          l.itemEdges(),
          l.itemAdjacency()
        }) {
      if (f != null && java.nio.file.Files.exists(f)) {
        files.add(f);
      }
    }
    return files;
  }
}
