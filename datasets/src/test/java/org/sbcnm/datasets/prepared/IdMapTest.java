package org.sbcnm.datasets.prepared;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Raw id ↔ index, on the numbered fast path and the general one, known and unknown ids. */
class IdMapTest {
  private static void check(String[] ids, String... unknown) {
    IdMap m = new IdMap(ids);
    for (int i = 0; i < ids.length; i++) {
      assertEquals(i, m.indexOf(ids[i]), ids[i]);
      assertEquals(ids[i], m.rawId(i));
    }
    for (String u : unknown) {
      assertEquals(-1, m.indexOf(u), "'" + u + "' is not an id");
    }
  }

  @Test
  void numberedIdsWithAndWithoutPrefix() {
    check(
        new String[] {"u3", "u0", "u17", "u4"},
        "u1",
        "u03",
        "u",
        "x3",
        "u3a",
        "U3",
        "u17 ",
        "u99999999999",
        "u-3",
        "",
        null,
        "u1000");
    check(new String[] {"196", "0", "42"}, "00", "042", "1960", "-1", "4 2", "u42", null);
  }

  @Test
  void idsOutsideThePatternUseTheGeneralMap() {
    // Mixed prefixes, a non-canonical number, and numbers too sparse for a table.
    check(new String[] {"u1", "i1", "x"}, "u2", "i", "1");
    check(new String[] {"u1", "u01"}, "u001", "u2");
    check(new String[] {"7", "900000000"}, "8", "90000000");
    check(new String[] {"item-a", "item-b"}, "item-c");
  }
}
