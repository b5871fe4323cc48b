package org.sbcnm.training.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Fixed-width tables of metrics for the terminal, and the same as Markdown. */
final class Tables {
  private Tables() {}

  /** One row per model, one column per metric (the union, in first-seen order). */
  static void metrics(PrintWriter out, Map<String, Map<String, Double>> rows) {
    out.print(render(rows, false));
    out.flush();
  }

  static String markdown(Map<String, Map<String, Double>> rows) {
    return render(rows, true);
  }

  private static String render(Map<String, Map<String, Double>> rows, boolean markdown) {
    Set<String> cols = new LinkedHashSet<>();
    for (Map<String, Double> r : rows.values()) {
      cols.addAll(r.keySet());
    }
    List<String> header = new ArrayList<>();
    header.add("model");
    header.addAll(cols);
    int first = Math.max(5, rows.keySet().stream().mapToInt(String::length).max().orElse(5));
    StringBuilder sb = new StringBuilder();
    line(sb, header, first, markdown);
    if (markdown) {
      List<String> sep = new ArrayList<>();
      for (int i = 0; i < header.size(); i++) {
        sep.add(i == 0 ? "---" : "---:");
      }
      line(sb, sep, first, true);
    }
    for (Map.Entry<String, Map<String, Double>> r : rows.entrySet()) {
      List<String> cells = new ArrayList<>();
      cells.add(r.getKey());
      for (String c : cols) {
        Double v = r.getValue().get(c);
        cells.add(v == null ? "-" : String.format("%.4f", v));
      }
      line(sb, cells, first, markdown);
    }
    return sb.toString();
  }

  private static void line(StringBuilder sb, List<String> cells, int first, boolean markdown) {
    if (markdown) {
      sb.append("| ").append(String.join(" | ", cells)).append(" |\n");
      return;
    }
    for (int i = 0; i < cells.size(); i++) {
      String c = cells.get(i);
      int w = i == 0 ? first : Math.max(10, c.length());
      sb.append(i == 0 ? String.format("%-" + w + "s", c) : String.format("  %" + w + "s", c));
    }
    sb.append('\n');
  }
}
