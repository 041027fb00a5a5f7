package dev.shovel.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.shovel.api.GenerationOptions;
import dev.shovel.api.GenerationResult;
import dev.shovel.api.Model;
import dev.shovel.api.ModelOptions;
import dev.shovel.api.Session;
import dev.shovel.gen.Sampler;
import dev.shovel.gguf.GGMLType;
import dev.shovel.gguf.GGUFFile;
import dev.shovel.gguf.TensorInfo;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Synth writes every supported architecture the way llama.cpp's converter does, and the files load and generate. */
class SynthArchitecturesTest {
    @TempDir Path dir;

    static Path reference(String name) {
        try {
            return Path.of(SynthArchitecturesTest.class.getResource("/reference/" + name + "/model.gguf").toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The shape of a reference model, from its info.json. */
    static SynthSpec.Builder referenceShape(String name) throws IOException {
        JsonNode i = new ObjectMapper().readTree(reference(name).resolveSibling("info.json").toFile());
        return SynthSpec.builder().architecture(i.get("arch").asText()).name("t").nEmbd(i.get("n_embd").asInt())
                .nLayer(i.get("n_layer").asInt()).nHead(i.get("n_head").asInt()).nHeadKv(i.get("n_head_kv").asInt())
                .keyLength(i.get("head_dim").asInt()).nFf(i.get("n_ff").asInt()).nVocab(i.get("n_vocab").asInt())
                .tiedOutput(i.get("tied_output").asBoolean());
    }

    static Map<String, String> shapes(Iterable<TensorInfo> ts) {
        Map<String, String> m = new TreeMap<>();
        for (TensorInfo t : ts) m.put(t.name(), Arrays.toString(t.dims()));
        return m;
    }

    /** Tensor names and shapes against files written by llama.cpp's gguf-py (reference/MANIFEST.md). */
    @ParameterizedTest
    @ValueSource(strings = {"llama", "qwen2", "qwen3", "phi3", "gemma", "gemma2", "gemma3", "granite", "olmo2", "smollm3",
            "starcoder2"})
    void tensorLayoutMatchesTheReferenceFile(String name) throws IOException {
        Path p = dir.resolve(name + ".gguf");
        Synth.write(referenceShape(name).build(), p);
        try (GGUFFile want = GGUFFile.open(reference(name)); GGUFFile got = GGUFFile.open(p)) {
            assertEquals(shapes(want.tensors().values()), shapes(got.tensors().values()));
            for (String k : want.metadata().keySet()) {
                if (k.startsWith(name + ".") && !k.contains("softcapping") && !k.contains("sliding_window")
                        && !k.contains("scal") && !k.contains("rope.freq_base")) {
                    assertTrue(got.has(k), "key " + k);
                }
            }
        }
    }

    /** Mixture-of-experts files: routers, 3-D expert tensors, gpt-oss's biases and sinks, against the reference files. */
    @ParameterizedTest
    @ValueSource(strings = {"qwen3moe", "llama-moe", "gpt-oss"})
    void expertLayoutMatchesTheReferenceFile(String name) throws IOException {
        JsonNode i = new ObjectMapper().readTree(reference(name).resolveSibling("info.json").toFile());
        int ff = i.hasNonNull("n_ff_exp") ? i.get("n_ff_exp").asInt() : i.get("n_ff").asInt();
        SynthSpec.Builder b = SynthSpec.builder().architecture(i.get("arch").asText()).name("t").nEmbd(i.get("n_embd").asInt())
                .nLayer(i.get("n_layer").asInt()).nHead(i.get("n_head").asInt()).nHeadKv(i.get("n_head_kv").asInt())
                .keyLength(i.get("head_dim").asInt()).nFf(i.hasNonNull("n_ff") ? i.get("n_ff").asInt() : ff)
                .nVocab(i.get("n_vocab").asInt()).experts(i.get("n_expert").asInt(), i.get("n_expert_used").asInt(), ff);
        Path p = dir.resolve(name + ".gguf");
        Synth.write(b.build(), p);
        String arch = i.get("arch").asText();
        try (GGUFFile want = GGUFFile.open(reference(name)); GGUFFile got = GGUFFile.open(p)) {
            assertEquals(shapes(want.tensors().values()), shapes(got.tensors().values()));
            for (String k : want.metadata().keySet()) {
                if (k.startsWith(arch + ".") && !k.contains("sliding_window") && !k.contains("scal") && !k.contains("rope.freq_base")) {
                    assertTrue(got.has(k), "key " + k);
                }
            }
            for (String k : new String[] {"expert_count", "expert_used_count"}) {
                assertEquals(want.getInt(arch + "." + k), got.getInt(arch + "." + k), k);
            }
        }
        try (Model m = Model.load(p); Session s = m.newSession()) { // and it runs
            assertEquals(i.get("n_expert").asInt(), m.config().moe().nExpert());
            assertEquals(ff, m.config().moe().expertFf());
            assertEquals(4, s.generate("Once upon a time", GenerationOptions.greedy(4), t -> { }).tokens().length);
        }
    }

    /** Small files with each architecture's features switched on (head size, sliding window below the sequence). */
    static SynthSpec small(String arch) {
        SynthSpec.Builder b = SynthSpec.builder().architecture(arch).name("t-" + arch).seed(11).contextLength(128);
        return switch (arch) {
            case "qwen3" -> b.keyLength(32).tiedOutput(true).build();
            case "gemma", "granite", "smollm3" -> b.nLayer(4).tiedOutput(true).build();
            case "gemma2" -> b.slidingWindow(5).tiedOutput(true).build();
            case "gemma3" -> b.nLayer(6).keyLength(32).slidingWindow(5).ropeBase(1e6f).tiedOutput(true).build();
            case "phi3" -> b.contextLength(256).ropeOrigCtx(32).build(); // LongRoPE with long factors past 32 tokens
            default -> b.build();
        };
    }

    @ParameterizedTest
    @ValueSource(strings = {"llama", "qwen2", "qwen3", "phi3", "gemma", "gemma2", "gemma3", "granite", "olmo2", "smollm3",
            "starcoder2"})
    void smallFileLoadsAndGenerates(String arch) {
        Path p = dir.resolve(arch + ".gguf");
        Synth.write(small(arch), p);
        ModelOptions o = new ModelOptions(2, 64, 64, GGMLType.F32);
        try (Model m = Model.load(p, o)) {
            int[] prompt = m.tokenizer().encode("Once upon a time, there was a", true, false);
            // greedy by hand, one token at a time through the cache
            int[] seq = Arrays.copyOf(prompt, prompt.length + 16);
            float[] last;
            try (Session s = m.newSession()) {
                last = s.evaluate(prompt);
                for (int k = prompt.length; k < seq.length; k++) {
                    seq[k] = Sampler.argmax(last, 0, last.length);
                    last = s.decode(seq[k]);
                }
            }
            for (float v : last) assertTrue(Float.isFinite(v), "finite logits");
            // the same sequence as one batch gives the same logits (sliding windows and RoPE agree in both paths)
            float[] batch;
            try (Session s = m.newSession()) {
                batch = s.evaluate(seq);
            }
            double d = 0, scale = 0;
            for (int i = 0; i < last.length; i++) {
                d = Math.max(d, Math.abs(last[i] - batch[i]));
                scale = Math.max(scale, Math.abs(batch[i]));
            }
            assertTrue(d <= 1e-4 * Math.max(1, scale), arch + ": decode vs batch max |d| " + d);
            try (Session s = m.newSession()) {
                GenerationResult r = s.generate(prompt, GenerationOptions.greedy(6), null);
                assertTrue(r.tokens().length >= 1 && r.tokens().length <= 6, "generated " + r.tokens().length);
                assertEquals(seq[prompt.length], r.tokens()[0], "first greedy token");
            }
        }
    }

    /** Parameter counts of the real-model presets against the published model sizes. */
    @Test
    void realShapePresetsHaveThePublishedParameterCounts() {
        Map<String, Double> published = Map.ofEntries(
                Map.entry("1.1b", 1.10e9), Map.entry("qwen2-0.5b", 0.49e9), Map.entry("qwen3-0.6b", 0.60e9),
                Map.entry("phi3-mini", 3.82e9), Map.entry("phi3-mini-128k", 3.82e9), Map.entry("gemma-2b", 2.51e9),
                Map.entry("gemma2-2b", 2.61e9), Map.entry("gemma3-1b", 1.00e9), Map.entry("granite-2b", 2.53e9),
                Map.entry("olmo2-1b", 1.48e9), Map.entry("smollm3-3b", 3.08e9), Map.entry("starcoder2-3b", 3.03e9));
        for (var e : published.entrySet()) {
            SynthSpec s = SynthSpec.preset(e.getKey()).build();
            long n = 0;
            for (Synth.Tensor t : Synth.plan(s, s.nVocab())) n += Arrays.stream(t.dims()).reduce(1, (a, b) -> a * b);
            System.out.printf("preset %-15s %-10s %,15d parameters (published %.2fB)%n", e.getKey(), s.architecture(), n,
                    e.getValue() / 1e9);
            assertEquals(1, n / e.getValue(), 0.015, e.getKey() + ": " + n);
        }
    }
}
