package dev.shovel.api;

import dev.shovel.ShovelException;
import java.io.IOException;
import java.io.InputStream;
import java.net.JarURLConnection;
import java.net.URL;
import java.net.URLConnection;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.zip.CRC32C;
import java.util.zip.ZipEntry;

/**
 * The stories260K model shipped in the jar, copied once to a cache file so it can be mapped. The cache file is named
 * by the resource's size and CRC, read from the jar's directory, so a warm start does not read the resource.
 */
public final class EmbeddedModel {
    public static final String RESOURCE = "/dev/shovel/models/stories260K.gguf";

    private EmbeddedModel() {}

    public static synchronized Path path() {
        URL url = EmbeddedModel.class.getResource(RESOURCE);
        if (url == null) throw new ShovelException("the embedded model is missing from the jar (" + RESOURCE + ")");
        try {
            URLConnection conn = url.openConnection();
            String key = null;
            if (conn instanceof JarURLConnection jar) {
                ZipEntry e = jar.getJarEntry();
                if (e != null && e.getSize() >= 0 && e.getCrc() >= 0) key = e.getSize() + "-" + Long.toHexString(e.getCrc());
            }
            byte[] bytes = null;
            if (key == null) {
                try (InputStream in = conn.getInputStream()) { bytes = in.readAllBytes(); }
                CRC32C crc = new CRC32C();
                crc.update(bytes);
                key = bytes.length + "-c" + Long.toHexString(crc.getValue());
            }
            Path dir = cacheDir();
            Path file = dir.resolve("stories260K-" + key + ".gguf");
            if (Files.isRegularFile(file)) return file;
            if (bytes == null) {
                try (InputStream in = url.openStream()) { bytes = in.readAllBytes(); }
            }
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, "stories260K", ".part");
            Files.write(tmp, bytes);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return file;
        } catch (IOException e) {
            throw new ShovelException("cannot cache the embedded model in " + cacheDir() + ": " + e.getMessage(), e);
        }
    }

    /** $SHOVEL_CACHE, else $XDG_CACHE_HOME/shovel, else ~/.cache/shovel, else a folder in the temp directory. */
    static Path cacheDir() {
        String env = System.getenv("SHOVEL_CACHE");
        if (env != null && !env.isBlank()) return Path.of(env);
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        Path dir = base.resolve("shovel");
        try {
            Files.createDirectories(dir);
            if (Files.isWritable(dir)) return dir;
        } catch (IOException | SecurityException e) {
            // fall through to the temp directory
        }
        return Path.of(System.getProperty("java.io.tmpdir"), "shovel-" + System.getProperty("user.name"));
    }
}
