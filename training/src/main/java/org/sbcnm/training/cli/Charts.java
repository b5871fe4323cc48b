package org.sbcnm.training.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.VectorGraphicsEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Line charts through XChart, saved as SVG and PNG (each written to a temporary file, then
 * renamed).
 */
final class Charts {
  private Charts() {}

  static XYChart lines(
      String title, String xTitle, String yTitle, double[] x, Map<String, double[]> series) {
    XYChart chart = xy(title, xTitle, yTitle);
    for (Map.Entry<String, double[]> s : series.entrySet()) {
      chart.addSeries(s.getKey(), x, s.getValue()).setMarker(SeriesMarkers.NONE);
    }
    return chart;
  }

  /**
   * One line per series with error bars of {@code spread} (the same keys) in its colour, drawn at
   * every tenth point so the lines stay readable.
   */
  static XYChart withSpread(
      String title,
      String xTitle,
      String yTitle,
      double[] x,
      Map<String, double[]> series,
      Map<String, double[]> spread) {
    XYChart chart = xy(title, xTitle, yTitle);
    chart.getStyler().setErrorBarsColorSeriesColor(true);
    int k = 0;
    for (Map.Entry<String, double[]> s : series.entrySet()) {
      double[] bars = new double[x.length];
      double[] sd = spread.get(s.getKey());
      // Each series' bars at its own points, so that they do not hide each other.
      for (int i = 9 + 3 * k++; i < x.length; i += 10) {
        bars[i] = sd[i];
      }
      chart.addSeries(s.getKey(), x, s.getValue(), bars).setMarker(SeriesMarkers.NONE);
    }
    return chart;
  }

  /** One line with markers per series, each with its own points: {@code {x[], y[]}}. */
  static XYChart curves(
      String title, String xTitle, String yTitle, Map<String, double[][]> series) {
    XYChart chart = xy(title, xTitle, yTitle);
    for (Map.Entry<String, double[][]> s : series.entrySet()) {
      chart.addSeries(s.getKey(), s.getValue()[0], s.getValue()[1]);
    }
    return chart;
  }

  private static XYChart xy(String title, String xTitle, String yTitle) {
    System.setProperty("java.awt.headless", "true");
    XYChart chart =
        new XYChartBuilder()
            .width(900)
            .height(520)
            .title(title)
            .xAxisTitle(xTitle)
            .yAxisTitle(yTitle)
            .build();
    chart.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.InsideNE);
    return chart;
  }

  /** Grouped bars: one series per name, one bar per category. */
  static org.knowm.xchart.CategoryChart bars(
      String title,
      String xTitle,
      String yTitle,
      String[] categories,
      Map<String, double[]> series) {
    System.setProperty("java.awt.headless", "true");
    org.knowm.xchart.CategoryChart chart =
        new org.knowm.xchart.CategoryChartBuilder()
            .width(900)
            .height(520)
            .title(title)
            .xAxisTitle(xTitle)
            .yAxisTitle(yTitle)
            .build();
    chart.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.InsideNE);
    for (Map.Entry<String, double[]> s : series.entrySet()) {
      chart.addSeries(
          s.getKey(),
          java.util.Arrays.asList(categories),
          java.util.Arrays.stream(s.getValue()).boxed().toList());
    }
    return chart;
  }

  /** Writes {@code base}.svg and {@code base}.png. */
  static void save(Chart<?, ?> chart, Path dir, String base) throws IOException {
    Files.createDirectories(dir);
    Path tmpSvg = dir.resolve("." + base + ".tmp.svg");
    Path tmpPng = dir.resolve("." + base + ".tmp.png");
    try {
      VectorGraphicsEncoder.saveVectorGraphic(
          chart, tmpSvg.toString(), VectorGraphicsEncoder.VectorGraphicsFormat.SVG);
      BitmapEncoder.saveBitmap(chart, tmpPng.toString(), BitmapEncoder.BitmapFormat.PNG);
      Files.move(
          tmpSvg,
          dir.resolve(base + ".svg"),
          StandardCopyOption.REPLACE_EXISTING,
          StandardCopyOption.ATOMIC_MOVE);
      Files.move(
          tmpPng,
          dir.resolve(base + ".png"),
          StandardCopyOption.REPLACE_EXISTING,
          StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(tmpSvg);
      Files.deleteIfExists(tmpPng);
    }
  }
}
