package org.sbcnm.training.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.sbcnm.datasets.prepared.PreparedDataset;
import org.sbcnm.datasets.split.HeldOutSplit;
import org.sbcnm.datasets.split.UserHistories;
import org.sbcnm.towers.config.TowerKind;
import org.sbcnm.towers.tower.TwoTowerModel;
import org.sbcnm.training.eval.Baselines;
import org.sbcnm.training.eval.QueryEncoder;
import org.sbcnm.training.eval.RetrievalMetrics;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Evaluates a checkpoint on the held-out split, beside popularity and random baselines. */
@Command(name = "eval", mixinStandardHelpOptions = true,
    description = "Recall/NDCG@K and MRR of a checkpoint over the full catalogue (training items excluded), with popularity and random baselines.")
final class EvalCommand implements Callable<Integer> {
  @Mixin DataOptions data;
  @Option(names = "--ckpt", required = true, paramLabel = "FILE") Path ckpt;
  @Option(names = "--k", defaultValue = "10,50,100", split = ",") int[] ks;
  @Option(names = "--metrics_json", paramLabel = "FILE") Path metricsJson;
  @Option(names = "--threads", defaultValue = "0") int threads;
  @Option(names = "--quiet") boolean quiet;
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws IOException {
    if (threads > 0) {
      org.sbcnm.engine.kernel.Kernels.setThreads(threads);
    }
    PreparedDataset d = data.load();
    Map<String, Map<String, Double>> rows = evaluate(ckpt, d, ks, "model");
    Tables.metrics(spec.commandLine().getOut(), rows);
    if (metricsJson != null) {
      Json.write(metricsJson, rows.get("model"));
    }
    return 0;
  }

  /** The model's metrics under {@code name}, then "popularity" and "random". */
  static Map<String, Map<String, Double>> evaluate(Path ckpt, PreparedDataset d, int[] ks, String name) throws IOException {
    HeldOutSplit split = HeldOutSplit.of(d.interactions(), d.numUsers());
    Map<String, Map<String, Double>> rows = new LinkedHashMap<>();
    rows.put(name, modelMetrics(ckpt, d, split, ks));
    rows.put("popularity", RetrievalMetrics.fromRanks(Baselines.popularityRanks(split, d.numItems()), ks));
    rows.put("random", RetrievalMetrics.fromRanks(Baselines.randomRanks(split, d.numItems(), 0), ks));
    return rows;
  }

  static Map<String, Double> modelMetrics(Path ckpt, PreparedDataset d, HeldOutSplit split, int[] ks) throws IOException {
    TwoTowerModel model = Checkpoints.load(ckpt, d);
    QueryEncoder enc = encoder(model, d, split, Checkpoints.historyLength(ckpt));
    return RetrievalMetrics.fromRanks(RetrievalMetrics.ranks(model, split, d.numItems(), enc), ks);
  }

  /** Query batches for users: ids, and bags of their training history for history towers. */
  static QueryEncoder encoder(TwoTowerModel model, PreparedDataset d, HeldOutSplit split, int historyLength) {
    UserHistories h = model.config().query().kind() == TowerKind.HISTORY ? UserHistories.of(split.train(), d.numUsers()) : null;
    return (batch, users, off, n) -> {
      batch.set(users, off, n);
      if (h != null) {
        int[] bag = batch.bagIdsBuffer(n * historyLength);
        int[] offsets = batch.bagOffsets();
        offsets[0] = 0;
        for (int r = 0; r < n; r++) {
          offsets[r + 1] = offsets[r] + h.fullBag(users[off + r], historyLength, bag, offsets[r]);
        }
      }
    };
  }
}
