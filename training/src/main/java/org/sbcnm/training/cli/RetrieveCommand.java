package org.sbcnm.training.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.sbcnm.datasets.prepared.Csv;
import org.sbcnm.datasets.prepared.PreparedDataset;
import org.sbcnm.datasets.split.HeldOutSplit;
import org.sbcnm.engine.autograd.Node;
import org.sbcnm.engine.autograd.Tape;
import org.sbcnm.engine.kernel.MatrixOps;
import org.sbcnm.engine.kernel.TopK;
import org.sbcnm.engine.tensor.Tensor;
import org.sbcnm.towers.tower.TowerBatch;
import org.sbcnm.towers.tower.TwoTowerModel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** The retrieval demo: top-K items for users, their training items excluded. */
@Command(name = "retrieve", mixinStandardHelpOptions = true, description = "Top-K items for the given users (raw ids), training items excluded.")
final class RetrieveCommand implements Callable<Integer> {
  @Mixin DataOptions data;
  @Option(names = "--ckpt", required = true, paramLabel = "FILE") Path ckpt;
  @Option(names = "--user", required = true, arity = "1..*", paramLabel = "RAW_ID") List<String> users;
  @Option(names = "--k", defaultValue = "10") int k;
  @Option(names = "--format", defaultValue = "table", description = "table, json or csv.") String format;
  @Option(names = "--include_seen", description = "Do not exclude the user's training items.") boolean includeSeen;
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws IOException {
    if (!format.matches("table|json|csv")) {
      throw new CliException("--format must be table, json or csv, got '" + format + "'");
    }
    if (k < 1 || k > TopK.MAX_K) {
      throw new CliException("--k must be in [1, " + TopK.MAX_K + "], got " + k);
    }
    PreparedDataset d = data.load();
    int[] idx = new int[users.size()];
    for (int r = 0; r < idx.length; r++) {
      idx[r] = d.users().indexOf(users.get(r));
      if (idx[r] < 0) {
        throw new CliException("--user '" + users.get(r) + "' is not in " + PreparedDataset.Q_IDMAP);
      }
    }
    TwoTowerModel model = Checkpoints.load(ckpt, d);
    HeldOutSplit split = HeldOutSplit.of(d.interactions(), d.numUsers());
    Tensor items = ExportCommand.itemEmbeddings(model, d.numItems());
    TowerBatch batch = new TowerBatch();
    EvalCommand.encoder(model, d, split, Checkpoints.historyLength(ckpt)).fill(batch, idx, 0, idx.length);
    Tensor scores = Tensor.zeros(idx.length, d.numItems());
    Tape tape = new Tape();
    try (Tape t = tape.begin()) {
      Node q = model.query().embed(t, batch);
      MatrixOps.gemm(false, true, 1.0, q.value(), items, 0.0, scores);
    }
    int[] ptr = split.userTrainPtr();
    int[] seen = split.userTrainItems();
    int kk = Math.min(k, d.numItems());
    int[] top = new int[kk];
    float[] vals = new float[kk];
    List<Map<String, Object>> rows = new ArrayList<>();
    for (int r = 0; r < idx.length; r++) {
      if (!includeSeen) {
        for (int p = ptr[idx[r]]; p < ptr[idx[r] + 1]; p++) {
          scores.set(r, seen[p], Float.NEGATIVE_INFINITY);
        }
      }
      int found = TopK.select(scores.floats(), r * d.numItems(), d.numItems(), kk, top, 0, vals, 0);
      for (int j = 0; j < found; j++) {
        if (vals[j] == Float.NEGATIVE_INFINITY) {
          break;
        }
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("user_id", users.get(r));
        row.put("rank", j + 1);
        row.put("item_id", d.items().rawId(top[j]));
        row.put("score", vals[j]);
        rows.add(row);
      }
    }
    PrintWriter out = spec.commandLine().getOut();
    switch (format) {
      case "json":
        out.println(Json.MAPPER.writeValueAsString(rows));
        break;
      case "csv":
        out.println("user_id,rank,item_id,score");
        for (Map<String, Object> row : rows) {
          out.println(Csv.quote((String) row.get("user_id")) + "," + row.get("rank") + "," + Csv.quote((String) row.get("item_id")) + "," + row.get("score"));
        }
        break;
      default:
        out.printf("%-12s %4s  %-16s %9s%n", "user_id", "rank", "item_id", "score");
        for (Map<String, Object> row : rows) {
          out.printf("%-12s %4d  %-16s %9.4f%n", row.get("user_id"), (Integer) row.get("rank"), row.get("item_id"), (Float) row.get("score"));
        }
    }
    out.flush();
    return 0;
  }
}
