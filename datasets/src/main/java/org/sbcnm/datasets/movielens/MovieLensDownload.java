package org.sbcnm.datasets.movielens;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.sbcnm.datasets.prepared.DatasetException;

/**
 * Fetches and unpacks the official MovieLens 100K zip.
 *
 * <p>The download streams into a temporary file while it is digested; only a file whose digest
 * matches is kept. GroupLens publishes an MD5 for {@code ml-100k.zip} (checked by default); a
 * caller who knows the SHA-256 passes it instead. Extraction refuses any entry whose normalised
 * path would leave the target folder (zip slip), and unpacks into a temporary folder that is
 * renamed into place only when every entry is out.
 */
public final class MovieLensDownload {
  /** The official address. */
  public static final String OFFICIAL_URL =
      "https://files.grouplens.org/datasets/movielens/ml-100k.zip";

  /** The MD5 GroupLens publishes beside it ({@code ml-100k.zip.md5}). */
  public static final String OFFICIAL_MD5 = "0e33842e24a9c977be4e0107933c0723";

  private MovieLensDownload() {}

  /**
   * Downloads {@code url} to {@code target} if its digest ({@code algorithm} "SHA-256" or "MD5")
   * equals {@code expectedHex}; otherwise nothing is left behind and a {@link DatasetException}
   * says what arrived.
   */
  public static void download(URI url, Path target, String algorithm, String expectedHex)
      throws IOException {
    MessageDigest digest;
    try {
      digest = MessageDigest.getInstance(algorithm);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalArgumentException("unknown digest " + algorithm);
    }
    Path dir = target.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    Path tmp = Files.createTempFile(dir, ".download", ".part");
    try {
      HttpClient client =
          HttpClient.newBuilder()
              .connectTimeout(Duration.ofSeconds(20))
              .followRedirects(HttpClient.Redirect.NORMAL)
              .build();
      HttpRequest req = HttpRequest.newBuilder(url).timeout(Duration.ofMinutes(5)).GET().build();
      HttpResponse<InputStream> resp;
      try {
        resp = client.send(req, HttpResponse.BodyHandlers.ofInputStream());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException(url + ": download interrupted");
      }
      if (resp.statusCode() != 200) {
        resp.body().close();
        throw new DatasetException(url + ": HTTP " + resp.statusCode());
      }
      try (InputStream in = resp.body();
          OutputStream out = Files.newOutputStream(tmp)) {
        byte[] buf = new byte[1 << 16];
        int n;
        while ((n = in.read(buf)) >= 0) {
          digest.update(buf, 0, n);
          out.write(buf, 0, n);
        }
      }
      String got = HexFormat.of().formatHex(digest.digest());
      if (!got.equalsIgnoreCase(expectedHex)) {
        throw new DatasetException(
            url
                + ": "
                + algorithm
                + " is "
                + got
                + ", expected "
                + expectedHex.toLowerCase()
                + " (download refused)");
      }
      Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /**
   * Unpacks {@code zip} into {@code dest} (created). Entries may not escape it; on any error
   * nothing of the zip is left in {@code dest}.
   */
  public static void extract(Path zip, Path dest) throws IOException {
    Path root = dest.toAbsolutePath().normalize();
    Files.createDirectories(root);
    Path tmp = Files.createTempDirectory(root, ".unzip");
    try {
      try (ZipInputStream in = new ZipInputStream(Files.newInputStream(zip))) {
        ZipEntry e;
        while ((e = in.getNextEntry()) != null) {
          Path out = tmp.resolve(e.getName()).normalize();
          if (!out.startsWith(tmp) || e.getName().startsWith("/") || e.getName().contains(":")) {
            throw new DatasetException(
                zip
                    + ": entry '"
                    + e.getName()
                    + "' would be written outside "
                    + dest
                    + " (refused)");
          }
          if (e.isDirectory()) {
            Files.createDirectories(out);
          } else {
            Files.createDirectories(out.getParent());
            Files.copy(in, out, StandardCopyOption.REPLACE_EXISTING);
          }
        }
      }
      try (java.util.stream.Stream<Path> top = Files.list(tmp)) {
        for (Path p : (Iterable<Path>) top::iterator) {
          Path target = root.resolve(p.getFileName());
          if (Files.exists(target)) {
            throw new DatasetException(target + ": already exists; remove it or extract elsewhere");
          }
          Files.move(p, target, StandardCopyOption.ATOMIC_MOVE);
        }
      }
    } finally {
      deleteTree(tmp);
    }
  }

  private static void deleteTree(Path p) throws IOException {
    if (!Files.exists(p)) {
      return;
    }
    try (java.util.stream.Stream<Path> walk = Files.walk(p)) {
      for (Path f : (Iterable<Path>) walk.sorted(java.util.Comparator.reverseOrder())::iterator) {
        Files.deleteIfExists(f);
      }
    }
  }
}
