package dev.shovel.tools;

import static org.junit.jupiter.api.Assertions.*;

import dev.shovel.gguf.GGUFFile;
import dev.shovel.gguf.GGUFValue;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedModelsTest {
    @TempDir Path dir;

    @Test
    void embeddedStories260KIsTheConvertedCheckpoint() throws IOException {
        Path p = EmbeddedModels.copyStories260K(dir.resolve("m.gguf"));
        try (GGUFFile g = GGUFFile.open(p)) {
            assertEquals("stories260K", g.getString("general.name"));
            assertEquals(512, g.getInt("llama.context_length"));
            double[] want = Llama2cConverterTest.referenceLogits(), got = TestFiles.logitsPos0(g, 1);
            for (int i = 0; i < want.length; i++) assertEquals(want[i], got[i], 1e-4, "logit " + i);
        }
        // byte-identical to a fresh conversion
        Path fresh = dir.resolve("fresh.gguf");
        Llama2cConverter.convert(TestFiles.checkpoint(), TestFiles.tok512(), fresh);
        assertArrayEquals(Files.readAllBytes(fresh), Files.readAllBytes(p));
    }

    @Test
    void tokenizerKeysMatchLlamaCpp() {
        Map<String, GGUFValue> kv = EmbeddedModels.stories260KTokenizer();
        try (GGUFFile ref = GGUFFile.open(TestFiles.referenceLlama())) {
            Map<String, GGUFValue> want = EmbeddedModels.tokenizerKeys(ref);
            assertEquals(want.keySet(), kv.keySet());
            want.forEach((k, v) -> Llama2cConverterTest.assertSameValue(k, v, kv.get(k)));
        }
    }
}
