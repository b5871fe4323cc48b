package org.sbcnm.datasets.prepared;

/** CSV writing helpers. */
public final class Csv {
  private Csv() {}

  /**
   * The field as written in CSV: quoted (quotes doubled) when it holds a comma, quote or line
   * break.
   */
  public static String quote(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == ',' || c == '"' || c == '\n' || c == '\r') {
        return '"' + s.replace("\"", "\"\"") + '"';
      }
    }
    return s;
  }

  /**
   * A rating as {@code interactions.csv} holds it: a whole number without a fraction ("4"), any
   * other value as {@link Float#toString(float)} ("3.5").
   */
  public static String rating(float rating) {
    return rating == (long) rating ? Long.toString((long) rating) : Float.toString(rating);
  }
}
