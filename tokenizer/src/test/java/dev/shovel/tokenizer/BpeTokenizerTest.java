package dev.shovel.tokenizer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** tokenizer.ggml.model = gpt2 (byte-level BPE) with the pre-tokenizers of llama.cpp's test vocabularies. */
class BpeTokenizerTest {

    @ParameterizedTest
    @ValueSource(strings = {"gpt-2", "deepseek-coder", "deepseek-llm", "falcon", "mpt", "refact", "starcoder"})
    void ggufVectors(String name) {
        Tokenizer t = Fixtures.vocab(name);
        assertEquals("gpt2", t.model());
        assertEquals(name, t.pre());
        VectorCheck.assertAllPass(name, t, name);
    }

    @Test
    void llama3TokenizerJsonPassesLlamaBpeVectors() {
        Tokenizer t = Fixtures.huggingFace("llama3");
        assertEquals("llama-bpe", t.pre());
        assertEquals(128256, t.vocabSize());
        VectorCheck.assertAllPass("llama-bpe (tokenizer.json)", t, "llama-bpe");
    }

    @Test
    void qwen3TokenizerJsonPassesQwen2Vectors() {
        Tokenizer t = Fixtures.huggingFace("qwen3");
        assertEquals("qwen2", t.pre());
        VectorCheck.assertAllPass("qwen2 (tokenizer.json)", t, "qwen2");
        VectorCheck.assertAllPass("deepseek-r1-qwen (tokenizer.json)", t, "deepseek-r1-qwen");
    }

    /** Seeded random strings tokenized by transformers.js (see hf-fuzz/NOTICE.md for the excluded cases). */
    @ParameterizedTest
    @ValueSource(strings = {"llama3", "qwen3"})
    void randomTextsMatchHuggingFace(String name) throws java.io.IOException {
        Tokenizer t = Fixtures.huggingFace(name);
        var json = new com.fasterxml.jackson.databind.ObjectMapper();
        var cases = json.readTree(Fixtures.text("/tokenizer/hf-fuzz/hf-fuzz.json")).path(name);
        int pass = 0;
        StringBuilder fails = new StringBuilder();
        for (var c : cases) {
            String text = c.path("text").asText();
            int[] want = json.treeToValue(c.path("ids"), int[].class);
            int[] got = t.encode(text, false, true);
            if (java.util.Arrays.equals(want, got)) pass++;
            else if (fails.length() < 2000) fails.append("\n  ").append(VectorCheck.escape(text));
        }
        System.out.println(name + " random texts vs transformers.js: " + pass + "/" + cases.size());
        assertTrue(cases.size() > 800);
        assertEquals(cases.size(), pass, "mismatches:" + fails);
    }

    /** gpt-neox has no tokenizer.ggml.pre: llama.cpp falls back to 'default' (with a warning). */
    @Test
    void missingPreMeansDefault() {
        Tokenizer t = Fixtures.vocab("gpt-neox");
        assertEquals("default", t.pre());
        assertTrue(t.warnings().stream().anyMatch(w -> w.contains("tokenizer.ggml.pre")));
        for (String s : Fixtures.inputs("gpt-2")) {
            assertEquals(s, new String(rawPieces(t, t.encode(s, false, false)), java.nio.charset.StandardCharsets.UTF_8));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"gpt-2", "deepseek-coder", "deepseek-llm", "falcon", "mpt", "refact", "starcoder"})
    void decodeInvertsEncode(String name) {
        Tokenizer t = Fixtures.vocab(name);
        List<String> texts = Fixtures.inputs(name);
        for (String s : texts) {
            int[] ids = t.encode(s, false, false);
            // byte-level BPE is lossless; compare bytes without the clean_up_tokenization_spaces passes
            String raw = new String(rawPieces(t, ids), java.nio.charset.StandardCharsets.UTF_8);
            assertEquals(s, raw, VectorCheck.escape(s));
        }
    }

    static byte[] rawPieces(Tokenizer t, int[] ids) {
        java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
        for (int id : ids) b.writeBytes(t.tokenBytes(id, true));
        return b.toByteArray();
    }

    /** Merging is O(n log n): a 100 KB single pre-token must not take quadratic time. */
    @Test
    void longWordIsFast() {
        Tokenizer t = Fixtures.vocab("gpt-2");
        String word = "ab".repeat(50_000);
        for (int i = 0; i < 3; i++) t.encode("ab".repeat(5_000), false, false);   // JIT warm-up
        // quadratic merging would need ~10^10 steps here; O(n log n) takes tens of milliseconds
        assertTimeoutPreemptively(java.time.Duration.ofSeconds(5), () -> {
            long t0 = System.nanoTime();
            int[] ids = t.encode(word, false, false);
            long ms = (System.nanoTime() - t0) / 1_000_000;
            System.out.println("gpt-2: 100 KB single word -> " + ids.length + " tokens in " + ms + " ms");
            assertEquals(word, t.decode(ids, false, false));
        });
    }
}
