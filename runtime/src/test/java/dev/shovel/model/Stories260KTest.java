package dev.shovel.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.shovel.api.EmbeddedModel;
import dev.shovel.gen.Sampler;
import dev.shovel.gguf.GGMLType;
import java.io.IOException;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The embedded stories260K model against llama2.c's reference vectors. */
class Stories260KTest {
    static JsonNode vectors() throws IOException {
        return Reference.JSON.readTree(Stories260KTest.class.getResourceAsStream("/stories260K/stories260K-testvectors.json"));
    }

    @Test
    void positionZeroLogitsMatch() throws IOException {
        float[] want = Reference.floats(vectors().get("logits_pos0_after_bos").get("values"));
        try (Engine e = new Engine(EmbeddedModel.path(), 2, GGMLType.F32, 512, 64)) {
            float[] got = e.allLogits(new int[] {1})[0];
            double d = 0;
            for (int i = 0; i < want.length; i++) d = Math.max(d, Math.abs(got[i] - want[i]));
            System.out.printf("stories260K: position-0 max |dlogit| = %.3g%n", d);
            assertTrue(d <= 1e-4, "max |dlogit| " + d);
        }
    }

    @Test
    void greedyFromBosReproduces256Tokens() throws IOException {
        int[] want = Reference.ints(vectors().get("greedy_256").get("ids"));
        for (GGMLType kv : new GGMLType[] {GGMLType.F32, GGMLType.F16}) {
            try (Engine e = new Engine(EmbeddedModel.path(), 2, kv, 512, 64)) {
                int[] got = new int[want.length];
                got[0] = 1;
                float[] logits = e.allLogits(new int[] {1})[0];
                for (int k = 1; k < want.length; k++) {
                    got[k] = Sampler.argmax(logits, 0, logits.length);
                    if (k + 1 < want.length) logits = e.step(got[k], k);
                }
                assertArrayEquals(want, got, "greedy ids with a " + kv + " KV cache: " + Arrays.toString(got));
            }
        }
    }
}
