package dev.shovel.tools;

import dev.shovel.gguf.GGUFFile;
import dev.shovel.gguf.GGUFValue;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;

/** Models shipped inside the runtime jar. */
public final class EmbeddedModels {
    private EmbeddedModels() {}

    /** Class-path resource of Karpathy's stories260K (MIT), converted to an F32 GGUF. */
    public static final String STORIES260K = "/dev/shovel/models/stories260K.gguf";

    /** Copies the embedded stories260K model to {@code target} (replacing it) and returns {@code target}. */
    public static Path copyStories260K(Path target) {
        try (InputStream in = EmbeddedModels.class.getResourceAsStream(STORIES260K)) {
            if (in == null) throw new ToolsException("embedded model " + STORIES260K + " is missing from the class path");
            Path dir = target.toAbsolutePath().getParent();
            if (dir != null) Files.createDirectories(dir);
            Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
            return target;
        } catch (IOException e) {
            throw new ToolsException("cannot copy the embedded model to " + target + ": " + e.getMessage(), e);
        }
    }

    /** The {@code tokenizer.*} keys of the embedded stories260K model, in file order. */
    public static Map<String, GGUFValue> stories260KTokenizer() {
        Path tmp = null;
        try {
            tmp = Files.createTempFile("shovel-stories260K", ".gguf");
            copyStories260K(tmp);
            try (GGUFFile f = GGUFFile.open(tmp)) {
                return tokenizerKeys(f);
            }
        } catch (IOException e) {
            throw new ToolsException("cannot extract the embedded model: " + e.getMessage(), e);
        } finally {
            if (tmp != null) {
                try { Files.deleteIfExists(tmp); } catch (IOException ignored) { }
            }
        }
    }

    /** Every {@code tokenizer.*} key of {@code f}, in file order. */
    public static Map<String, GGUFValue> tokenizerKeys(GGUFFile f) {
        Map<String, GGUFValue> kv = new LinkedHashMap<>();
        f.metadata().forEach((k, v) -> { if (k.startsWith("tokenizer.")) kv.put(k, v); });
        return kv;
    }
}
