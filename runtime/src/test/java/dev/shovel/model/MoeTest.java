package dev.shovel.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shovel.gguf.GGMLType;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Mixture-of-experts batching: a prompt evaluated as one batch (each expert one GEMM over the rows that chose it)
 * gives every position the same logits, bit for bit, as feeding the tokens one at a time (each row its own experts),
 * so a sequence's output does not depend on what else is in its batch. llama.cpp's logits bound both.
 */
class MoeTest {
    @ParameterizedTest
    @ValueSource(strings = {"qwen3moe", "qwen2moe", "llama-moe", "gpt-oss", "deepseek2"})
    void batchedPromptEqualsOneTokenAtATime(String name) {
        Reference ref = Reference.load(name);
        int[] ids = ref.inputIds();
        try (Engine e = new Engine(ref.model(), 2, GGMLType.F32, 256, 64)) {
            assertTrue(e.config.moe() != null && e.config.moe().nExpert() == 4 && e.config.moe().nUsed() == 2, "4 experts, 2 used");
            float[][] batched = e.allLogits(ids);
            e.cache.clear();
            for (int i = 0; i < ids.length; i++) {
                float[] one = e.transformer.forward(Batch.of(new int[] {ids[i]}, 0, 1, i, 0, true), e.cache);
                assertArrayEquals(batched[i], one, 0f, "position " + i);
            }
            assertEquals(0, Reference.maxAbs(batched, ref.logits()), 2e-5, "llama.cpp's logits");
        }
    }
}
