package dev.shovel.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shovel.gguf.GGMLType;
import dev.shovel.tools.Synth;
import dev.shovel.tools.SynthSpec;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Mixture-of-experts batching: a prompt evaluated as one batch (each expert one GEMM over the rows that chose it)
 * gives every position the same logits, bit for bit, as feeding the tokens one at a time (each row its own experts),
 * so a sequence's output does not depend on what else is in its batch. llama.cpp's logits bound both.
 */
class MoeTest {
    @TempDir Path dir;

    /** 8 experts, 4 per token (so a token's experts are summed in expert order, not rank order), quantized and not. */
    @ParameterizedTest
    @ValueSource(strings = {"qwen3moe:f32", "qwen3moe:q8_0", "gpt-oss:mxfp4_moe", "llama:q4_0"})
    void fourOfEightExpertsBatchedEqualsOneAtATime(String archType) {
        String[] at = archType.split(":");
        Path p = dir.resolve(at[0] + "-" + at[1] + ".gguf");
        Synth.write(SynthSpec.builder().architecture(at[0]).name("t").nEmbd(128).nHead(4).nHeadKv(2).nFf(128)
                .experts(8, 4, 64).weights(at[1]).seed(5).build(), p);
        int[] ids = new int[40];
        for (int i = 0; i < ids.length; i++) ids[i] = 1 + (i * 37) % 500;
        try (Engine e = new Engine(p, 2, GGMLType.F32, 128, 64)) {
            float[][] batched = e.allLogits(ids);
            e.cache.clear();
            for (int i = 0; i < ids.length; i++) {
                float[] one = e.transformer.forward(Batch.of(new int[] {ids[i]}, 0, 1, i, 0, true), e.cache);
                assertArrayEquals(batched[i], one, 0f, archType + " position " + i);
            }
        }
    }

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
