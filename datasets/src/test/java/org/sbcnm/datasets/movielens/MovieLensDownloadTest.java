package org.sbcnm.datasets.movielens;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sbcnm.datasets.prepared.DatasetException;
import org.sbcnm.datasets.prepared.PreparedDataset;

/** The download path against a server on 127.0.0.1 serving zips this test makes. */
class MovieLensDownloadTest {
  @TempDir Path dir;
  private HttpServer server;
  private byte[] good;
  private byte[] evil;

  static byte[] zip(Map<String, byte[]> entries) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ZipOutputStream z = new ZipOutputStream(bytes)) {
      for (Map.Entry<String, byte[]> e : entries.entrySet()) {
        z.putNextEntry(new ZipEntry(e.getKey()));
        z.write(e.getValue());
        z.closeEntry();
      }
    }
    return bytes.toByteArray();
  }

  static String sha256(byte[] b) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
  }

  @BeforeEach
  void serve() throws IOException {
    Path src = dir.resolve("fixture/ml-100k");
    MovieLens100kTest.fixture(src);
    java.util.Map<String, byte[]> files = new java.util.LinkedHashMap<>();
    for (String f : new String[] {"u.data", "u.item", "u.user"}) {
      files.put("ml-100k/" + f, Files.readAllBytes(src.resolve(f)));
    }
    good = zip(files);
    evil = zip(Map.of("ml-100k/u.data", new byte[] {1}, "../../escaped.txt", "gotcha".getBytes()));
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext(
        "/",
        ex -> {
          byte[] body =
              ex.getRequestURI().getPath().endsWith("evil.zip")
                  ? evil
                  : ex.getRequestURI().getPath().endsWith("good.zip") ? good : null;
          if (ex.getRequestURI().getPath().endsWith("short.zip")) {
            ex.sendResponseHeaders(200, good.length);
            ex.getResponseBody().write(good, 0, 100);
            ex.getResponseBody().flush();
            ex.close();
            return;
          }
          if (body == null) {
            ex.sendResponseHeaders(404, -1);
          } else {
            ex.sendResponseHeaders(200, body.length);
            try (OutputStream o = ex.getResponseBody()) {
              o.write(body);
            }
          }
          ex.close();
        });
    server.start();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  private URI url(String name) {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/" + name);
  }

  @Test
  void downloadsVerifiesExtractsAndPrepares() throws Exception {
    Path target = dir.resolve("dl/ml-100k.zip");
    MovieLensDownload.download(url("good.zip"), target, "SHA-256", sha256(good));
    MovieLensDownload.extract(target, dir.resolve("dl"));
    PreparedDataset d = MovieLens100k.prepare(dir.resolve("dl/ml-100k"));
    assertEquals(5, d.numUsers());
  }

  @Test
  void wrongChecksumLeavesNothing() {
    Path target = dir.resolve("dl2/ml-100k.zip");
    DatasetException e =
        assertThrows(
            DatasetException.class,
            () ->
                MovieLensDownload.download(
                    url("good.zip"), target, "MD5", MovieLensDownload.OFFICIAL_MD5));
    assertTrue(
        e.getMessage().contains("MD5 is") && e.getMessage().contains("refused"), e.getMessage());
    assertFalse(Files.exists(target));
    assertThrows(
        DatasetException.class,
        () -> MovieLensDownload.download(url("missing.zip"), target, "MD5", "00"));
  }

  @Test
  void zipSlipIsRefusedAndNothingIsWritten() throws Exception {
    Path target = dir.resolve("dl3/x.zip");
    MovieLensDownload.download(url("evil.zip"), target, "SHA-256", sha256(evil));
    Path dest = dir.resolve("dl3/out");
    DatasetException e =
        assertThrows(DatasetException.class, () -> MovieLensDownload.extract(target, dest));
    assertTrue(
        e.getMessage().contains("../../escaped.txt") && e.getMessage().contains("outside"),
        e.getMessage());
    assertFalse(Files.exists(dir.resolve("escaped.txt")));
    assertFalse(Files.exists(dir.resolve("dl3/escaped.txt")));
    try (java.util.stream.Stream<Path> left = Files.list(dest)) {
      assertEquals(0, left.count(), "nothing of the zip is left");
    }
  }

  /** A zip whose entries are named {@code names}, each holding {@code content}. */
  private static byte[] zipNamed(byte[] content, String... names) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ZipOutputStream z = new ZipOutputStream(bytes)) {
      for (String n : names) {
        z.putNextEntry(new ZipEntry(n));
        z.write(content);
        z.closeEntry();
      }
    }
    return bytes.toByteArray();
  }

  private void assertNothingLeft(Path dest) throws IOException {
    try (java.util.stream.Stream<Path> left = Files.list(dest)) {
      assertEquals(0, left.count(), "nothing of the zip is left");
    }
  }

  @Test
  void anEntryThatAppearsTwiceIsRefused() throws Exception {
    // ZipOutputStream refuses a repeated name, so the second name is patched in the bytes.
    byte[] bytes = zipNamed("1\t1\t5\t0\n".getBytes(), "ml-100k/u.data", "ml-100k/u.datX");
    String text = new String(bytes, java.nio.charset.StandardCharsets.ISO_8859_1);
    byte[] twice =
        text.replace("ml-100k/u.datX", "ml-100k/u.data")
            .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
    Path zip = Files.write(dir.resolve("twice.zip"), twice);
    Path dest = dir.resolve("out");
    DatasetException e =
        assertThrows(DatasetException.class, () -> MovieLensDownload.extract(zip, dest));
    assertTrue(e.getMessage().contains("appears twice"), e.getMessage());
    assertTrue(e.getMessage().contains(zip.toString()), e.getMessage());
    assertNothingLeft(dest);

    Path dotted =
        Files.write(dir.resolve("dotted.zip"), zipNamed(new byte[] {1}, "a/u.data", "a/./u.data"));
    assertThrows(DatasetException.class, () -> MovieLensDownload.extract(dotted, dest));
    assertNothingLeft(dest);
  }

  @Test
  void aZipBombStopsAtTheCapAndLeavesNothing() throws Exception {
    byte[] zeros = new byte[1 << 20];
    Path zip = Files.write(dir.resolve("bomb.zip"), zipNamed(zeros, "ml-100k/u.data"));
    assertTrue(Files.size(zip) < 10_000, "the test bomb compresses well");
    Path dest = dir.resolve("out");
    DatasetException e =
        assertThrows(DatasetException.class, () -> MovieLensDownload.extract(zip, dest, 100_000));
    assertTrue(e.getMessage().contains("more than 100000 bytes"), e.getMessage());
    assertNothingLeft(dest);
    // At the cap itself it unpacks.
    assertEquals(1, MovieLensDownload.extract(zip, dest, 1 << 20).size());
  }

  @Test
  void aDamagedZipNamesTheFile() throws Exception {
    Path zip = Files.write(dir.resolve("cut.zip"), java.util.Arrays.copyOf(good, good.length / 2));
    Path dest = dir.resolve("out");
    DatasetException e =
        assertThrows(DatasetException.class, () -> MovieLensDownload.extract(zip, dest));
    assertTrue(e.getMessage().startsWith(zip.toString()), e.getMessage());
    assertNothingLeft(dest);
  }

  @Test
  void networkFailuresNameTheAddress() throws Exception {
    Path target = dir.resolve("dl4/x.zip");
    URI cut = url("short.zip");
    DatasetException e =
        assertThrows(
            DatasetException.class,
            () -> MovieLensDownload.download(cut, target, "SHA-256", sha256(good)));
    assertTrue(e.getMessage().startsWith(cut.toString()), e.getMessage());
    assertTrue(e.getMessage().contains("broke off"), e.getMessage());
    assertFalse(Files.exists(target));
    try (java.util.stream.Stream<Path> left = Files.list(target.getParent())) {
      assertEquals(0, left.count(), "no partial download is left");
    }

    int port;
    try (java.net.ServerSocket s =
        new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    URI refused = URI.create("http://127.0.0.1:" + port + "/ml-100k.zip");
    DatasetException r =
        assertThrows(
            DatasetException.class, () -> MovieLensDownload.download(refused, target, "MD5", "00"));
    assertTrue(r.getMessage().startsWith(refused.toString()), r.getMessage());
  }
}
