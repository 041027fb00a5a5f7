package dev.shovel.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shovel.ShovelException;
import dev.shovel.gguf.GGUFFile;
import dev.shovel.gguf.GGUFValue;
import dev.shovel.gguf.GGUFValueType;
import dev.shovel.gguf.GGUFWriter;
import dev.shovel.gguf.TensorInfo;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Set;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What ModelConfig derives from metadata, against the facts in reference/MANIFEST.md and llama.cpp's defaults. */
class ModelConfigTest {
    @TempDir Path dir;

    static ModelConfig config(String name) {
        try (GGUFFile f = GGUFFile.open(Reference.root().resolve(name).resolve("model.gguf"))) {
            return ModelConfig.from(f);
        }
    }

    /** A copy of a reference file's header (tensor data left zero) without the {@code drop} keys, then edited. */
    ModelConfig edited(String name, Set<String> drop, Consumer<GGUFWriter> edit) throws IOException {
        Path p = dir.resolve(name + "-edited.gguf");
        try (GGUFFile src = GGUFFile.open(Reference.root().resolve(name).resolve("model.gguf"))) {
            GGUFWriter w = new GGUFWriter();
            src.metadata().forEach((k, v) -> {
                if (!drop.contains(k)) w.put(k, v);
            });
            edit.accept(w);
            for (TensorInfo t : src.tensors().values()) w.addTensor(t.name(), t.type(), t.dims(), seg -> {});
            w.write(p);
        }
        try (GGUFFile f = GGUFFile.open(p)) {
            return ModelConfig.from(f);
        }
    }

    @Test
    void gemma3SlidingPatternAndPerLayerRope() {
        ModelConfig c = config("gemma3");
        assertEquals(32, c.headDim());
        assertEquals(8f, c.embdScale());
        assertEquals(0f, c.finalSoftcap());
        for (int l = 0; l < 6; l++) {
            LayerSpec s = c.layer(l);
            boolean local = l < 5;
            assertEquals(local ? 8 : 0, s.attn().window(), "window of layer " + l);
            assertEquals(local ? 10000f : 1e6f, s.rope().base(), "rope base of layer " + l);
            assertEquals(local ? 1f : 1f / 8, s.rope().posScale(), "rope scale of layer " + l);
            assertTrue(s.rope().neox());
            assertEquals(1 / Math.sqrt(32), s.attn().scale(), 1e-7);
            assertEquals(0f, s.attn().softcap());
        }
        assertTrue(c.describe().contains("layers 0-4: sliding window 8"), c.describe());
    }

    @Test
    void gemma2GraniteSmollm3AndOlmo2() {
        ModelConfig g2 = config("gemma2");
        assertEquals(8, g2.layer(0).attn().window());
        assertEquals(0, g2.layer(1).attn().window());
        assertEquals(10f, g2.layer(1).attn().softcap());
        assertEquals(8f, g2.finalSoftcap());
        ModelConfig gr = config("granite");
        assertEquals(6f, gr.embdScale());
        assertEquals(0.5f, gr.residualScale());
        assertEquals(1f / 3f, gr.logitScale());
        assertEquals(0.15f, gr.layer(0).attn().scale());
        assertFalse(gr.layer(0).rope().neox());
        ModelConfig sm = config("smollm3");
        assertNull(sm.layer(3).rope());
        for (int l = 0; l < 3; l++) assertEquals(5e6f, sm.layer(l).rope().base());
        ModelConfig ol = config("olmo2");
        assertFalse(ol.arch().preNorm());
        assertTrue(ol.arch().postNorm() && ol.arch().qkNorm());
        assertTrue(config("starcoder2").arch().layerNorm());
        assertEquals(1e-5f, config("starcoder2").normEps());
        assertArrayEquals(new float[] {1f, 2.4422596f, 8, 8, 8, 8, 8, 8}, config("llama31-ropefreqs").layer(0).rope().factors(), 1e-6f);
    }

    @Test
    void llamaCppDefaultsWhenKeysAreAbsent() throws IOException {
        // gemma2 without its keys: window 4096, soft-caps 50 and 30
        ModelConfig g2 = edited("gemma2", Set.of("gemma2.attention.sliding_window", "gemma2.attn_logit_softcapping",
                "gemma2.final_logit_softcapping"), w -> {});
        assertEquals(4096, g2.layer(0).attn().window());
        assertEquals(50f, g2.layer(0).attn().softcap());
        assertEquals(30f, g2.finalSoftcap());
        // an explicit per-layer pattern replaces the default period
        ModelConfig p = edited("gemma3", Set.of(), w -> w.put("gemma3.attention.sliding_window_pattern",
                GGUFValue.array(GGUFValueType.BOOL, new boolean[] {true, false, true, false, true, false})));
        for (int l = 0; l < 6; l++) assertEquals(l % 2 == 0, p.layer(l).sliding(), "layer " + l);
        // gemma3 without sliding_window: every layer global, with the global RoPE
        ModelConfig g3 = edited("gemma3", Set.of("gemma3.attention.sliding_window"), w -> {});
        for (int l = 0; l < 6; l++) assertEquals(1e6f, g3.layer(l).rope().base());
    }

    @Test
    void unsupportedArchitecturesAndScalingsAreOneLineErrors() {
        ShovelException e = assertThrows(ShovelException.class,
                () -> edited("llama", Set.of(), w -> w.putString("general.architecture", "mamba")));
        assertTrue(e.getMessage().contains("'mamba'"), e.getMessage());
        for (String a : Architecture.SUPPORTED) assertTrue(e.getMessage().contains(a), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
        e = assertThrows(ShovelException.class, () -> edited("qwen2", Set.of(), w -> w.putString("qwen2.rope.scaling.type", "dynamic")));
        assertTrue(e.getMessage().contains("dynamic"), e.getMessage());
    }

    /**
     * gpt-oss's YaRN as the reference MANIFEST states it: pairs 0..4 keep their frequency, 9..15 are divided by 32,
     * a linear ramp between (corr dims 4 and 9), and q and k each carry mscale 1 + 0.1 ln 32; deepseek2's scores
     * carry mscale^2 / sqrt(24) = 0.324481 with unscaled q and k.
     */
    @Test
    void yarnAsTheReferencesState() {
        ModelConfig c = config("gpt-oss");
        float[] f = c.layer(1).rope().factors();
        assertEquals(16, f.length);
        for (int i = 0; i < 16; i++) {
            double ramp = 1 - Math.min(1, Math.max(0, (i - 4) / 5.0));
            assertEquals(1 / (ramp + (1 - ramp) / 32), f[i], 1e-5 * f[i], "pair " + i);
        }
        assertEquals(1 + 0.1 * Math.log(32), c.ropeAttnFactor(), 1e-6);
        ModelConfig d = config("deepseek2");
        assertEquals(0.324481, d.layer(1).attn().scale(), 1e-6);
        assertEquals(1f, d.ropeAttnFactor());
        assertEquals(40f, d.layer(1).rope().factors()[3], 1e-4);
    }
}
