package org.sbcnm.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

/**
 * {@link SparkPrep#parse} on any fields a source may hold (no SparkSession): a parsed row whose
 * values are what {@code prep csv} would keep, an error row naming the field, or null for a row
 * rated below the minimum; never an exception. Regression inputs live in {@code
 * SparkPrepFuzzTestInputs/parse/}.
 */
class SparkPrepFuzzTest {
  @FuzzTest
  void parse(FuzzedDataProvider input) {
    String user = input.consumeBoolean() ? null : input.consumeString(20);
    String item = input.consumeBoolean() ? null : input.consumeString(20);
    String rating = input.consumeBoolean() ? null : input.consumeString(12);
    String time = input.consumeBoolean() ? null : input.consumeString(20);
    long line = input.consumeLong(0, Long.MAX_VALUE);
    double min = input.consumeBoolean() ? Double.NaN : input.consumeDouble();
    Row r =
        SparkPrep.parse(
            RowFactory.create(user, item, rating, time, line), "in.csv", "stars", "when", min);
    if (r == null) {
      float f = Float.parseFloat(rating.trim());
      assertTrue(f < min, "dropped only below the minimum: " + f + " < " + min);
      return;
    }
    assertEquals(line, r.getLong(4));
    if (!r.isNullAt(5)) {
      String reason = r.getString(5);
      assertTrue(reason.startsWith("in.csv: partition "), reason);
      assertTrue(
          reason.contains(" id is empty")
              || reason.contains("field 'stars'")
              || reason.contains("field 'when'"),
          reason);
      return;
    }
    String uid = r.getString(0);
    String iid = r.getString(1);
    assertNotNull(uid);
    assertFalse(uid.isEmpty() || iid.isEmpty());
    assertEquals(user.trim(), uid);
    assertEquals(item.trim(), iid);
    assertEquals(Float.parseFloat(rating.trim()), r.getFloat(2));
    assertTrue(Float.isFinite(r.getFloat(2)));
    assertEquals(Long.parseLong(time.trim()), r.getLong(3));
  }
}
