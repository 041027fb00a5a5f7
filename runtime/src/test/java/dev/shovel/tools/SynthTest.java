package dev.shovel.tools;

import static org.junit.jupiter.api.Assertions.*;

import dev.shovel.ggml.TypeOps;
import dev.shovel.gguf.GGMLType;
import dev.shovel.gguf.GGUFFile;
import dev.shovel.gguf.GGUFValue;
import dev.shovel.gguf.TensorInfo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ForkJoinPool;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SynthTest {
    @TempDir Path dir;

    /** n_embd and n_ff multiples of 256 so that every block size fits. */
    static SynthSpec.Builder small() {
        return SynthSpec.builder().name("t").nEmbd(256).nLayer(2).nHead(4).nHeadKv(2).nFf(512).nVocab(600)
                .contextLength(128).seed(7);
    }

    static List<GGMLType> writableTypes() {
        List<GGMLType> ts = new ArrayList<>();
        for (GGMLType t : GGMLType.values()) if (TypeOps.supported(t) && FileType.of(t) >= 0) ts.add(t);
        return ts;
    }

    static void assertStats(String what, float[] v, double mean, double std, double relTol) {
        double s = 0, ss = 0;
        for (float x : v) s += x;
        double m = s / v.length;
        for (float x : v) ss += (x - m) * (x - m);
        double sd = Math.sqrt(ss / (v.length - 1));
        assertEquals(mean, m, 5 * std / Math.sqrt(v.length) + 1e-9, what + " mean");
        assertEquals(std, sd, relTol * std, what + " std");
    }

    @Test
    void everyWritableTypeReadsBackWithTheRightShapesAndStatistics() {
        List<GGMLType> types = writableTypes();
        assertTrue(types.containsAll(List.of(GGMLType.F32, GGMLType.F16, GGMLType.BF16, GGMLType.Q8_0, GGMLType.Q4_0)));
        for (GGMLType type : types) {
            Path p = dir.resolve(type + ".gguf");
            Synth.write(small().weights(type).build(), p);
            try (GGUFFile g = GGUFFile.open(p)) {
                assertEquals("llama", g.getString("general.architecture"));
                assertEquals(FileType.of(type), g.getInt("general.file_type"));
                assertEquals(256, g.getInt("llama.embedding_length"));
                assertEquals(2, g.getInt("llama.block_count"));
                assertEquals(512, g.getInt("llama.feed_forward_length"));
                assertEquals(4, g.getInt("llama.attention.head_count"));
                assertEquals(2, g.getInt("llama.attention.head_count_kv"));
                assertEquals(64, g.getInt("llama.rope.dimension_count"));
                assertEquals(128, g.getInt("llama.context_length"));
                assertEquals(600, g.getInt("llama.vocab_size"));
                assertEquals(2 + 1 + 2 * 9, g.tensors().size());
                Map<String, long[]> shapes = Map.of("token_embd.weight", new long[] {256, 600},
                        "output.weight", new long[] {256, 600}, "output_norm.weight", new long[] {256},
                        "blk.1.attn_q.weight", new long[] {256, 256}, "blk.1.attn_k.weight", new long[] {256, 128},
                        "blk.0.attn_v.weight", new long[] {256, 128}, "blk.0.attn_output.weight", new long[] {256, 256},
                        "blk.0.ffn_gate.weight", new long[] {256, 512}, "blk.1.ffn_up.weight", new long[] {256, 512},
                        "blk.1.ffn_down.weight", new long[] {512, 256});
                shapes.forEach((n, d) -> assertArrayEquals(d, g.tensor(n).dims(), n));
                // quantization noise adds under 1% to the std at 4+ bits per weight; allow more below that
                double tol = 8.0 * type.typeSize / type.blockSize >= 4 ? 0.03 : 0.4;
                for (TensorInfo t : g.tensors().values()) {
                    boolean norm = t.dims().length == 1;
                    assertEquals(norm ? GGMLType.F32 : type, t.type(), t.name());
                    float[] v = TestFiles.floats(g, t.name());
                    String what = type + " " + t.name();
                    if (norm) assertStats(what, v, 1, 0.1, 0.3);
                    else if (t.name().startsWith("token_embd") || t.name().startsWith("output"))
                        assertStats(what, v, 0, 2 / Math.sqrt(256), tol);
                    else assertStats(what, v, 0, 1 / Math.sqrt(t.dims()[0]), tol);
                }
            }
        }
    }

    @Test
    void deterministicForASeedWhateverTheThreadCount() throws Exception {
        Path a = dir.resolve("a.gguf"), b = dir.resolve("b.gguf"), c = dir.resolve("c.gguf");
        SynthSpec spec = small().weights("q8_0").build();
        Synth.write(spec, a);
        ForkJoinPool one = new ForkJoinPool(1);
        try {
            one.submit(() -> Synth.write(spec, b)).get();
        } finally {
            one.shutdown();
        }
        Synth.write(spec.toBuilder().seed(8).build(), c);
        byte[] ba = Files.readAllBytes(a);
        assertArrayEquals(ba, Files.readAllBytes(b));
        assertFalse(java.util.Arrays.equals(ba, Files.readAllBytes(c)));
    }

    @Test
    void quantizedFileHoldsTheSameDrawsAsTheF32File() {
        Path f = dir.resolve("f.gguf"), q = dir.resolve("q.gguf");
        Synth.write(small().build(), f);
        Synth.write(small().weights(GGMLType.Q8_0).build(), q);
        try (GGUFFile gf = GGUFFile.open(f); GGUFFile gq = GGUFFile.open(q)) {
            float[] a = TestFiles.floats(gf, "blk.1.ffn_down.weight"), b = TestFiles.floats(gq, "blk.1.ffn_down.weight");
            for (int blk = 0; blk < a.length / 32; blk++) {
                float amax = 0;
                for (int j = 0; j < 32; j++) amax = Math.max(amax, Math.abs(a[blk * 32 + j]));
                for (int j = 0; j < 32; j++) {
                    int i = blk * 32 + j;
                    assertEquals(a[i], b[i], amax / 127 * (0.5 + 127 * 0x1p-11) * 1.001, "element " + i);
                }
            }
            assertArrayEquals(TestFiles.floats(gf, "blk.0.ffn_norm.weight"), TestFiles.floats(gq, "blk.0.ffn_norm.weight"));
        }
    }

    @Test
    void vocabularyIsStories260KPaddedWithUnusedControlTokens() {
        Path p = dir.resolve("v.gguf");
        Synth.write(small().build(), p);
        try (GGUFFile g = GGUFFile.open(p); GGUFFile ref = GGUFFile.open(TestFiles.referenceLlama())) {
            String[] toks = g.getStringArray("tokenizer.ggml.tokens");
            int[] types = g.getIntArray("tokenizer.ggml.token_type");
            float[] scores = g.getFloatArray("tokenizer.ggml.scores");
            String[] rt = ref.getStringArray("tokenizer.ggml.tokens");
            assertEquals(600, toks.length);
            assertEquals(600, types.length);
            assertEquals(600, scores.length);
            assertArrayEquals(rt, java.util.Arrays.copyOf(toks, 512));
            assertEquals("<unused_0>", toks[512]);
            assertEquals("<unused_87>", toks[599]);
            assertEquals(3, types[599]);
            assertEquals("llama", g.getString("tokenizer.ggml.model"));
            assertEquals(1, g.getInt("tokenizer.ggml.bos_token_id"));
        }
    }

    @Test
    void vocabFromAnotherGgufSetsTheVocabularySize() {
        Path p = dir.resolve("vf.gguf");
        Synth.write(small().nVocab(4000).tiedOutput(true).vocabFrom(TestFiles.referenceLlama()).build(), p);
        try (GGUFFile g = GGUFFile.open(p); GGUFFile ref = GGUFFile.open(TestFiles.referenceLlama())) {
            assertEquals(512, g.getInt("llama.vocab_size"));
            assertArrayEquals(new long[] {256, 512}, g.tensor("token_embd.weight").dims());
            Map<String, GGUFValue> want = EmbeddedModels.tokenizerKeys(ref);
            assertEquals(want.keySet(), EmbeddedModels.tokenizerKeys(g).keySet());
            want.forEach((k, v) -> Llama2cConverterTest.assertSameValue(k, v, g.get(k)));
            // tied: no output.weight; embeddings shrunk by 4, output_norm scaled by 4
            assertNull(g.tensor("output.weight"));
            assertStats("tied token_embd", TestFiles.floats(g, "token_embd.weight"), 0, 0.5 / Math.sqrt(256), 0.03);
            assertStats("tied output_norm", TestFiles.floats(g, "output_norm.weight"), 4, 0.4, 0.3);
        }
    }

    @Test
    void q4KMMixFollowsLlamaQuantize() {
        QuantMix m = QuantMix.parse("Q4_K_M");
        assertEquals(15, m.fileType());
        // use_more_bits for 22 layers: i < 2, i >= 19, or (i - 2) % 3 == 2
        List<Integer> more = List.of(0, 1, 4, 7, 10, 13, 16, 19, 20, 21);
        for (int l = 0; l < 22; l++) {
            GGMLType want = more.contains(l) ? GGMLType.Q6_K : GGMLType.Q4_K;
            assertEquals(want, m.typeOf(QuantMix.Role.ATTN_V, l, 22, 2048, false), "attn_v " + l);
            assertEquals(want, m.typeOf(QuantMix.Role.FFN_DOWN, l, 22, 5632, false), "ffn_down " + l);
            assertEquals(GGMLType.Q4_K, m.typeOf(QuantMix.Role.ATTN_Q, l, 22, 2048, false));
            assertEquals(GGMLType.Q4_K, m.typeOf(QuantMix.Role.FFN_UP, l, 22, 2048, false));
        }
        // 32 layers (Llama-2-7B): 0-3, 6, 9, ..., 27, 28-31
        assertEquals(GGMLType.Q6_K, m.typeOf(QuantMix.Role.ATTN_V, 6, 32, 4096, false));
        assertEquals(GGMLType.Q4_K, m.typeOf(QuantMix.Role.ATTN_V, 5, 32, 4096, false));
        assertEquals(GGMLType.Q6_K, m.typeOf(QuantMix.Role.ATTN_V, 28, 32, 4096, false));
        assertEquals(GGMLType.Q6_K, m.typeOf(QuantMix.Role.OUTPUT, 0, 22, 2048, false));
        assertEquals(GGMLType.Q4_K, m.typeOf(QuantMix.Role.TOKEN_EMBD, 0, 22, 2048, false));
        assertEquals(GGMLType.Q6_K, m.typeOf(QuantMix.Role.TOKEN_EMBD, 0, 22, 2048, true));
        // rows that are not whole 256-blocks: output -> Q8_0, Q4_K -> Q5_0, Q6_K -> Q8_0, else F16
        assertEquals(GGMLType.Q8_0, m.typeOf(QuantMix.Role.OUTPUT, 0, 2, 64, false));
        assertEquals(GGMLType.Q5_0, m.typeOf(QuantMix.Role.ATTN_Q, 1, 2, 64, false));
        assertEquals(GGMLType.Q8_0, m.typeOf(QuantMix.Role.ATTN_V, 1, 2, 64, false)); // 2 layers: only layer 1 gets more bits
        assertEquals(GGMLType.Q5_0, m.typeOf(QuantMix.Role.ATTN_V, 0, 2, 64, false));
        assertEquals(GGMLType.F16, m.typeOf(QuantMix.Role.FFN_DOWN, 1, 2, 172, false));
        assertEquals(GGMLType.F16, QuantMix.fallback(GGMLType.Q8_0, 172));

        Path p = dir.resolve("km.gguf");
        SynthSpec spec = small().weights("q4_k_m").build();
        if (!TypeOps.supported(GGMLType.Q4_K) || !TypeOps.supported(GGMLType.Q6_K)) {
            ToolsException e = assertThrows(ToolsException.class, () -> Synth.write(spec, p));
            assertTrue(e.getMessage().contains("q4_k_m") && e.getMessage().contains("Q4_K"), e.getMessage());
            assertFalse(Files.exists(p));
        } else {
            Synth.write(spec, p);
            try (GGUFFile g = GGUFFile.open(p)) {
                assertEquals(15, g.getInt("general.file_type"));
                assertEquals(GGMLType.Q6_K, g.tensor("output.weight").type());
                assertEquals(GGMLType.Q4_K, g.tensor("token_embd.weight").type());
                assertEquals(GGMLType.Q4_K, g.tensor("blk.0.attn_v.weight").type());
                assertEquals(GGMLType.Q6_K, g.tensor("blk.1.attn_v.weight").type());
                assertEquals(GGMLType.Q6_K, g.tensor("blk.1.ffn_down.weight").type());
                assertEquals(GGMLType.Q4_K, g.tensor("blk.1.ffn_gate.weight").type());
            }
        }
    }

    @Test
    void badSpecsGiveOneLineErrors() {
        Path p = dir.resolve("bad.gguf");
        assertMessage("at least 512", () -> Synth.write(small().nVocab(100).build(), p));
        assertMessage("unsupported architecture 'mamba'", () -> Synth.write(small().architecture("mamba").build(), p));
        assertMessage("unknown weight type", () -> Synth.write(small().weights("q9_9").build(), p));
        assertMessage("multiple of n_head_kv", () -> Synth.write(small().nHeadKv(3).build(), p));
        assertMessage("block size 32", () -> Synth.write(small().nEmbd(200).nHead(4).weights("q8_0").build(), p));
        assertFalse(Files.exists(p));
    }

    static void assertMessage(String part, org.junit.jupiter.api.function.Executable r) {
        Exception e = assertThrows(dev.shovel.ShovelException.class, r);
        assertTrue(e.getMessage().contains(part), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
    }
}
