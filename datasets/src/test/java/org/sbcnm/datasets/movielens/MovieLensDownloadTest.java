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
}
