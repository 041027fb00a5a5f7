package dev.shovel.model;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.shovel.api.EmbeddedModel;
import dev.shovel.gen.Sampler;
import dev.shovel.gguf.GGMLType;
import dev.shovel.tokenizer.Tokenizer;
import dev.shovel.tools.Perplexity;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every architecture against llama.cpp (F32 weights, F32 KV cache): logits at every prompt position, greedy
 * continuation while llama.cpp's top-2 margins are clear, the top-10 logits of all 32 steps teacher-forced on
 * llama.cpp's tokens, and perplexity on story.txt. Prints one summary line per model.
 */
class ReferenceTest {
    static final double MARGIN = 2e-2;

    /** GELU models get slack for ggml's fp16 GELU table (MANIFEST.md); SiLU models should match closely. */
    static double tolerance(String name) {
        return name.startsWith("gemma") || name.equals("starcoder2") ? 1e-2 : 2e-3;
    }

    /** llama.cpp's perplexities by model: SET 1 ({@code perplexity.json}) and SET 1b ({@code perplexity-2.json}). */
    static JsonNode perplexities() {
        try {
            var all = (com.fasterxml.jackson.databind.node.ObjectNode) Reference.JSON.readTree(Reference.root().resolve("perplexity.json").toFile()).get("ppl");
            all.setAll((com.fasterxml.jackson.databind.node.ObjectNode) Reference.JSON.readTree(Reference.root().resolve("perplexity-2.json").toFile()).get("ppl"));
            return all;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static int[] storyTokens(Path model) {
        try (dev.shovel.gguf.GGUFFile f = dev.shovel.gguf.GGUFFile.open(model)) {
            return Tokenizer.fromGGUF(f).encode(Files.readString(Reference.root().resolve("story.txt")), true, false);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** llama.cpp's perplexity method, each chunk as one batch. */
    static Perplexity.Result perplexity(Path model, int threads) {
        int[] tokens = storyTokens(model);
        try (Engine e = new Engine(model, threads, GGMLType.F32, 128, 128)) {
            return Perplexity.compute(tokens, 128, 1, e.config.nVocab(),
                    Perplexity.batched(e.transformer::forward, e.cache, 128, e.config.nVocab()), null);
        }
    }

    static double margin(float[] row) {
        float a = Float.NEGATIVE_INFINITY, b = Float.NEGATIVE_INFINITY;
        for (float v : row) {
            if (v > a) { b = a; a = v; } else if (v > b) b = v;
        }
        return a - b;
    }

    @ParameterizedTest
    @ValueSource(strings = {"llama", "llama31-ropefreqs", "qwen2", "qwen3", "phi3", "gemma", "gemma2", "gemma3",
            "granite", "olmo2", "smollm3", "starcoder2", "llamaq-f32", "qwen3moe", "qwen2moe", "llama-moe", "gpt-oss", "deepseek2"})
    void matchesLlamaCpp(String name) {
        Reference ref = Reference.load(name);
        double tol = tolerance(name);
        List<Executable> checks = new ArrayList<>();
        double maxD, maxTf = 0;
        int greedy = 0, clearSteps = 0;
        try (Engine e = new Engine(ref.model(), 2, GGMLType.F32, 256, 64)) {
            float[][] got = e.allLogits(ref.inputIds());
            maxD = Reference.maxAbs(got, ref.logits());
            for (int i = 0; i < got.length; i++) {
                if (margin(ref.logits()[i]) <= MARGIN) continue;
                int want = Sampler.argmax(ref.logits()[i], 0, got[i].length), pos = i;
                int have = Sampler.argmax(got[i], 0, got[i].length);
                checks.add(() -> assertEquals(want, have, "argmax at position " + pos));
            }
            // greedy continuation, teacher-forced on llama.cpp's tokens: the argmax of every step whose recorded
            // top-2 margin is clear, and the top-10 logits of every step
            float[] logits = got[got.length - 1];
            int pos = ref.inputIds().length;
            for (int k = 0; k < ref.greedyIds().length; k++) {
                if (ref.greedyMargins()[k] > MARGIN) {
                    clearSteps++;
                    if (Sampler.argmax(logits, 0, logits.length) == ref.greedyIds()[k]) greedy++;
                }
                for (int j = 0; j < ref.stepTopIds()[k].length; j++) {
                    maxTf = Math.max(maxTf, Math.abs(logits[ref.stepTopIds()[k][j]] - ref.stepTopLogits()[k][j]));
                }
                if (k + 1 < ref.greedyIds().length) logits = e.step(ref.greedyIds()[k], pos++);
            }
        }
        double ppl = perplexity(ref.model(), 2).ppl(), want = perplexities().get(name).get("ppl").asDouble();
        System.out.printf("%-18s max|dlogit| %.2e (tol %.0e), teacher-forced top-10 %.2e, greedy %d/%d clear-margin steps, "
                + "ppl %.4f vs llama.cpp %.4f (ratio %.5f)%n", name, maxD, tol, maxTf, greedy, clearSteps, ppl, want, ppl / want);
        double d = maxD, tf = maxTf;
        int g = greedy, cs = clearSteps;
        checks.add(() -> assertTrue(d <= tol, "max |dlogit| " + d));
        checks.add(() -> assertTrue(tf <= tol, "teacher-forced top-10 max |dlogit| " + tf));
        checks.add(() -> assertEquals(cs, g, "greedy tokens equal at the clear-margin steps"));
        checks.add(() -> assertEquals(1, ppl / want, 0.002, "perplexity " + ppl + " vs " + want));
        assertAll(name, checks);
    }

    /** A Q8_0 KV cache (-ctk q8_0): llama.cpp's F32-cache logits within the cache's 8-bit rounding, argmax kept. */
    @Test
    void q8_0KvCacheStaysNearLlamaCpp() {
        Reference ref = Reference.load("llamaq-f32");
        try (Engine e = new Engine(ref.model(), 2, GGMLType.Q8_0, 256, 64)) {
            float[][] got = e.allLogits(ref.inputIds());
            double d = Reference.maxAbs(got, ref.logits());
            System.out.printf("llamaq-f32 -ctk q8_0  max|dlogit| %.2e%n", d);
            assertTrue(d > 0 && d <= 0.1, "max |dlogit| " + d);
            for (int i = 0; i < got.length; i++) {
                if (margin(ref.logits()[i]) <= 0.2) continue;
                assertEquals(Sampler.argmax(ref.logits()[i], 0, got[i].length), Sampler.argmax(got[i], 0, got[i].length), "argmax at " + i);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"llamaq-q8_0", "llamaq-q4_0", "llamaq-q4_1", "llamaq-q5_0", "llamaq-q5_1", "llamaq-q4_k",
            "llamaq-q5_k", "llamaq-q6_k", "llamaq-iq4_nl", "llamaq-iq4_xs", "gpt-oss-mxfp4"})
    void quantizedMatchLlamaCppWithinActivationQuantizationNoise(String name) {
        Reference ref = Reference.load(name);
        float[][] got;
        try (Engine e = new Engine(ref.model(), 2, GGMLType.F32, 256, 64)) {
            got = e.allLogits(ref.inputIds());
        }
        double max = Reference.maxAbs(got, ref.logits()), rms = Reference.rms(got, ref.logits());
        double ppl = perplexity(ref.model(), 2).ppl(), want = perplexities().get(name).get("ppl").asDouble();
        System.out.printf("%-18s max|dlogit| %.3f, rms %.3f, ppl %.4f vs llama.cpp %.4f (ratio %.4f)%n",
                name, max, rms, ppl, want, ppl / want);
        List<Executable> checks = new ArrayList<>(List.of(
                () -> assertTrue(max <= 0.4, "max |dlogit| " + max),
                () -> assertTrue(rms <= 0.1, "rms " + rms),
                () -> assertEquals(1, ppl / want, 0.03, "perplexity " + ppl + " vs " + want)));
        for (int i = 0; i < got.length; i++) { // argmax where llama.cpp's margin exceeds twice the noise (MANIFEST.md)
            if (margin(ref.logits()[i]) <= 0.8) continue;
            int w = Sampler.argmax(ref.logits()[i], 0, got[i].length), h = Sampler.argmax(got[i], 0, got[i].length), pos = i;
            checks.add(() -> assertEquals(w, h, "argmax at position " + pos));
        }
        assertAll(name, checks);
    }

    @Test
    void stories260KPerplexityMatchesLlamaCpp() {
        Perplexity.Result r = perplexity(EmbeddedModel.path(), 2);
        double want = perplexities().get("stories260K").get("ppl").asDouble();
        double wantErr = perplexities().get("stories260K").get("stderr").asDouble();
        System.out.printf("%-18s ppl %.4f +/- %.5f vs llama.cpp %.4f +/- %.5f (%d chunks, %d tokens scored)%n",
                "stories260K", r.ppl(), r.stderr(), want, wantErr, r.chunks(), r.scored());
        assertEquals(1, r.ppl() / want, 0.002);
        assertEquals(1, r.stderr() / wantErr, 0.01);
    }

    @ParameterizedTest
    @ValueSource(strings = {"llama", "phi3", "gemma3", "starcoder2", "llamaq-q8_0", "llamaq-q4_0", "llamaq-q4_k", "qwen2moe", "gpt-oss", "deepseek2", "qwen3moe", "llama-moe", "llamaq-iq4_nl", "llamaq-iq4_xs", "gpt-oss-mxfp4"})
    void logitsAreBitIdenticalForOneAndTwoThreads(String name) {
        Reference ref = Reference.load(name);
        float[][] one, two;
        try (Engine e = new Engine(ref.model(), 1, GGMLType.F32, 256, 64)) { one = e.allLogits(ref.inputIds()); }
        try (Engine e = new Engine(ref.model(), 2, GGMLType.F32, 256, 64)) { two = e.allLogits(ref.inputIds()); }
        for (int i = 0; i < one.length; i++) assertArrayEquals(one[i], two[i], 0f, "position " + i);
    }
}
