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
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.sbcnm.datasets.prepared.DatasetException;
import org.sbcnm.engine.io.AtomicFolders;

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
        throw new DatasetException(url + ": download interrupted");
      } catch (java.net.ConnectException e) {
        throw new DatasetException(url + ": connection refused or unreachable");
      } catch (IOException e) {
        throw new DatasetException(url + ": download failed (" + describe(e) + ")");
      }
      if (resp.statusCode() != 200) {
        resp.body().close();
        throw new DatasetException(url + ": HTTP " + resp.statusCode());
      }
      long received = 0;
      try (InputStream in = resp.body();
          OutputStream out = Files.newOutputStream(tmp)) {
        byte[] buf = new byte[1 << 16];
        int n;
        while ((n = readBody(in, buf, url, received)) >= 0) {
          digest.update(buf, 0, n);
          out.write(buf, 0, n);
          received += n;
        }
      }
      long expected = resp.headers().firstValueAsLong("Content-Length").orElse(-1);
      if (expected >= 0 && received != expected) {
        throw new DatasetException(
            url + ": download broke off after " + received + " of " + expected + " bytes");
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
   * Unpacks {@code zip} into {@code dest} (created), at most {@link #MAX_EXTRACTED_BYTES} in all.
   * Entries may not escape it nor appear twice; on any error nothing of the zip is left in {@code
   * dest}.
   *
   * @return the files and folders it placed directly in {@code dest}
   */
  public static List<Path> extract(Path zip, Path dest) throws IOException {
    return extract(zip, dest, MAX_EXTRACTED_BYTES);
  }

  /**
   * The cap on what {@link #extract(Path, Path)} writes: the official archive unpacks to about 16
   * MB, so anything past four times that is not it (a zip bomb unpacks to gigabytes).
   */
  public static final long MAX_EXTRACTED_BYTES = 64L << 20;

  /** The cap on the number of entries, for the same reason (the archive holds 24). */
  static final int MAX_ENTRIES = 1000;

  /** {@link #extract(Path, Path)} with a cap of {@code maxBytes} on the bytes written. */
  static List<Path> extract(Path zip, Path dest, long maxBytes) throws IOException {
    Path root = dest.toAbsolutePath().normalize();
    Files.createDirectories(root);
    Path tmp = Files.createTempDirectory(root, ".unzip");
    try {
      try (ZipInputStream in = new ZipInputStream(Files.newInputStream(zip))) {
        java.util.Set<Path> seen = new java.util.HashSet<>();
        long written = 0;
        byte[] buf = new byte[1 << 16];
        ZipEntry e;
        while ((e = nextEntry(in, zip)) != null) {
          Path out;
          try {
            out = tmp.resolve(e.getName()).normalize();
          } catch (java.nio.file.InvalidPathException bad) {
            throw new DatasetException(zip + ": entry '" + e.getName() + "' is not a valid path");
          }
          if (!out.startsWith(tmp)
              || out.equals(tmp)
              || e.getName().startsWith("/")
              || e.getName().contains(":")) {
            throw new DatasetException(
                zip
                    + ": entry '"
                    + e.getName()
                    + "' would be written outside "
                    + dest
                    + " (refused)");
          }
          if (!seen.add(out)) {
            throw new DatasetException(
                zip + ": entry '" + e.getName() + "' appears twice (refused: which one is meant?)");
          }
          if (seen.size() > MAX_ENTRIES) {
            throw new DatasetException(
                zip + ": more than " + MAX_ENTRIES + " entries; not the MovieLens archive");
          }
          try {
            if (e.isDirectory()) {
              Files.createDirectories(out);
              continue;
            }
            Files.createDirectories(out.getParent());
          } catch (java.nio.file.FileSystemException clash) {
            throw unwritable(zip, e, clash);
          }
          try (OutputStream os = Files.newOutputStream(out, StandardOpenOption.CREATE_NEW)) {
            int n;
            while ((n = read(in, buf, zip, e)) >= 0) {
              written += n;
              if (written > maxBytes) {
                throw new DatasetException(
                    zip
                        + ": unpacks to more than "
                        + maxBytes
                        + " bytes (at entry '"
                        + e.getName()
                        + "'); refused as not the MovieLens archive");
              }
              os.write(buf, 0, n);
            }
          } catch (java.nio.file.FileSystemException clash) {
            throw unwritable(zip, e, clash);
          }
        }
      }
      List<Path> placed = new ArrayList<>();
      try (java.util.stream.Stream<Path> top = Files.list(tmp)) {
        List<Path> entries = top.sorted().collect(java.util.stream.Collectors.toList());
        for (Path p : entries) {
          Path target = root.resolve(p.getFileName());
          if (Files.exists(target)) {
            throw new DatasetException(target + ": already exists; remove it or extract elsewhere");
          }
        }
        for (Path p : entries) {
          Path target = root.resolve(p.getFileName());
          Files.move(p, target, StandardCopyOption.ATOMIC_MOVE);
          placed.add(target);
        }
      }
      return placed;
    } finally {
      AtomicFolders.deleteTree(tmp);
    }
  }

  private static int readBody(InputStream in, byte[] buf, URI url, long received)
      throws IOException {
    try {
      return in.read(buf);
    } catch (IOException e) {
      throw new DatasetException(
          url + ": download broke off after " + received + " bytes (" + describe(e) + ")");
    }
  }

  private static String describe(Throwable e) {
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
  }

  private static DatasetException unwritable(
      Path zip, ZipEntry e, java.nio.file.FileSystemException why) {
    String reason =
        why instanceof java.nio.file.FileAlreadyExistsException
            ? "clashes with another entry"
            : why.getReason() == null ? why.getClass().getSimpleName() : why.getReason();
    return new DatasetException(
        zip + ": entry '" + e.getName() + "' cannot be unpacked (" + reason + "; refused)");
  }

  private static ZipEntry nextEntry(ZipInputStream in, Path zip) throws IOException {
    try {
      return in.getNextEntry();
    } catch (java.util.zip.ZipException | java.io.EOFException | IllegalArgumentException e) {
      throw new DatasetException(zip + ": not a readable zip (" + e.getMessage() + ")");
    }
  }

  private static int read(ZipInputStream in, byte[] buf, Path zip, ZipEntry e) throws IOException {
    try {
      return in.read(buf);
    } catch (java.util.zip.ZipException | java.io.EOFException e2) {
      throw new DatasetException(
          zip + ": entry '" + e.getName() + "' is damaged (" + e2.getMessage() + ")");
    }
  }
}
