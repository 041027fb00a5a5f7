package dev.shovel.api;

import dev.shovel.ShovelException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.util.HexFormat;

/** The stories260K model shipped in the jar, copied to a cache file (keyed by content hash) so it can be mapped. */
public final class EmbeddedModel {
    public static final String RESOURCE = "/dev/shovel/models/stories260K.gguf";

    private EmbeddedModel() {}

    public static synchronized Path path() {
        try {
            byte[] bytes;
            try (InputStream in = EmbeddedModel.class.getResourceAsStream(RESOURCE)) {
                if (in == null) throw new ShovelException("the embedded model is missing from the jar (" + RESOURCE + ")");
                bytes = in.readAllBytes();
            }
            String hash = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)).substring(0, 16);
            Path dir = cacheDir();
            Path file = dir.resolve("stories260K-" + hash + ".gguf");
            if (Files.isRegularFile(file) && Files.size(file) == bytes.length) return file;
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, "stories260K", ".part");
            Files.write(tmp, bytes);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return file;
        } catch (IOException | java.security.NoSuchAlgorithmException e) {
            throw new ShovelException("cannot cache the embedded model: " + e.getMessage(), e);
        }
    }

    static Path cacheDir() {
        String env = System.getenv("SHOVEL_CACHE");
        if (env != null && !env.isBlank()) return Path.of(env);
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        Path dir = base.resolve("shovel");
        if (Files.isWritable(base) || Files.isWritable(dir)) return dir;
        return Path.of(System.getProperty("java.io.tmpdir"), "shovel-" + System.getProperty("user.name"));
    }
}
