package dev.shovel.opencl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shovel.backend.opencl.ClBackend;
import dev.shovel.backend.opencl.OpenCL;
import dev.shovel.gen.Sampler;
import dev.shovel.gguf.GGMLType;
import dev.shovel.model.Engine;
import dev.shovel.model.Reference;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The forward pass on OpenCL against llama.cpp's logits (reference/*) and against the CPU's greedy tokens, with every
 * layer offloaded (-1) and with half of them; and what crosses the bus per decode step.
 */
class OpenClReferenceTest {
    /** The forward pass with the first {@code gpuLayers} layers on OpenCL (-1: all and the output; 0: CPU only). */
    static Engine engine(java.nio.file.Path model, int gpuLayers, GGMLType kv, int ctx, int batch) {
        return new Engine(model, 2, kv, ctx, batch, cpu -> OpenCL.open(-1, cpu), gpuLayers);
    }

    @BeforeAll
    static void requireOpenCl() { OpenClAssume.requireOpenCl(); }

    static int half(Reference ref) {
        try (dev.shovel.gguf.GGUFFile f = dev.shovel.gguf.GGUFFile.open(ref.model())) {
            return dev.shovel.model.ModelConfig.from(f).nLayer() / 2;
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void llamaLogitsMatchLlamaCpp(boolean all) {
        Reference ref = Reference.load("llama");
        try (Engine e = engine(ref.model(), all ? -1 : half(ref), GGMLType.F32, 256, 64)) {
            double d = Reference.maxAbs(e.allLogits(ref.inputIds()), ref.logits());
            System.out.printf("opencl llama (%s layers): max |dlogit| vs llama.cpp = %.3g%n", all ? "all" : "half", d);
            assertTrue(d <= 2e-3, "max |dlogit| " + d);
        }
    }

    @Test
    void gpuStyleKernelsMatchLlamaCppToo() {
        // the work-group-per-row matmul and attention a GPU gets, here on the CPU device
        Reference ref = Reference.load("llama");
        System.setProperty("shovel.opencl.matmul", "groups");
        try (Engine e = engine(ref.model(), -1, GGMLType.F32, 256, 64)) {
            System.clearProperty("shovel.opencl.matmul");
            double d = Reference.maxAbs(e.allLogits(ref.inputIds()), ref.logits());
            System.out.printf("opencl llama (GPU kernels): max |dlogit| vs llama.cpp = %.3g%n", d);
            assertTrue(d <= 2e-3, "max |dlogit| " + d);
        } finally {
            System.clearProperty("shovel.opencl.matmul");
        }
    }

    /** Greedy ids after the prompt, one decode step at a time. */
    static int[] greedy(Engine e, int[] prompt, int steps) {
        float[][] p = e.allLogits(prompt);
        float[] logits = p[p.length - 1];
        int[] ids = new int[steps];
        for (int k = 0; k < steps; k++) {
            ids[k] = Sampler.argmax(logits, 0, logits.length);
            logits = e.step(ids[k], prompt.length + k);
        }
        return ids;
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void llamaGreedyTokensMatchTheCpu(boolean all) {
        Reference ref = Reference.load("llama");
        int steps = ref.greedyIds().length;
        int[] cpu, cl;
        try (Engine e = engine(ref.model(), 0, GGMLType.F32, 256, 64)) { cpu = greedy(e, ref.inputIds(), steps); }
        try (Engine e = engine(ref.model(), all ? -1 : half(ref), GGMLType.F32, 256, 64)) { cl = greedy(e, ref.inputIds(), steps); }
        assertArrayEquals(cpu, cl);
        assertArrayEquals(ref.greedyIds(), cl, "llama.cpp's greedy tokens (min margin 0.058)");
    }

    @ParameterizedTest
    @ValueSource(strings = {"llama31-ropefreqs", "qwen2", "qwen3", "phi3", "gemma", "gemma2", "gemma3", "granite",
            "olmo2", "smollm3", "starcoder2", "qwen3moe", "qwen2moe", "llama-moe", "gpt-oss", "deepseek2"})
    void architecturesMatchLlamaCpp(String name) {
        Reference ref = Reference.load(name);
        double tol = name.startsWith("gemma") || name.equals("starcoder2") ? 1e-2 : 2e-3; // as ReferenceTest
        try (Engine e = engine(ref.model(), -1, GGMLType.F32, 256, 64)) {
            double d = Reference.maxAbs(e.allLogits(ref.inputIds()), ref.logits());
            System.out.printf("opencl %-18s max |dlogit| vs llama.cpp = %.3g%n", name, d);
            assertTrue(d <= tol, "max |dlogit| " + d);
        }
    }

    /**
     * Quantized weights on the device must equal the CPU (same decoding, float accumulation). The CPU's repacked types
     * (Q8_0, Q4_0 and the K-quants Q4_K, Q5_K, Q6_K) multiply int8 activations, as llama.cpp's do, so those are held
     * to llama.cpp's logits instead, with the CPU's tolerance.
     */
    @ParameterizedTest
    @ValueSource(strings = {"llamaq-q8_0", "llamaq-q4_0", "llamaq-q4_1", "llamaq-q5_0", "llamaq-q5_1", "llamaq-q4_k",
            "llamaq-q5_k", "llamaq-q6_k"})
    void quantizedModelsMatchTheCpu(String name) {
        Reference ref = Reference.load(name);
        float[][] cpu, cl;
        try (Engine e = engine(ref.model(), -1, GGMLType.F32, 256, 64)) { cl = e.allLogits(ref.inputIds()); }
        if (java.util.Set.of("llamaq-q8_0", "llamaq-q4_0", "llamaq-q4_k", "llamaq-q5_k", "llamaq-q6_k").contains(name)) {
            double max = Reference.maxAbs(cl, ref.logits()), rms = Reference.rms(cl, ref.logits());
            System.out.printf("opencl %-18s max |dlogit| vs llama.cpp = %.3g, rms %.3g%n", name, max, rms);
            assertTrue(max <= 0.4 && rms <= 0.1, "max |dlogit| " + max + ", rms " + rms);
            return;
        }
        try (Engine e = engine(ref.model(), 0, GGMLType.F32, 256, 64)) { cpu = e.allLogits(ref.inputIds()); }
        double d = Reference.maxAbs(cpu, cl);
        System.out.printf("opencl %-18s max |dlogit| vs cpu = %.3g%n", name, d);
        assertTrue(d <= 2e-3, "max |dlogit| " + d);
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void aDecodeStepReadsBackOnlyItsOutput(boolean all) {
        Reference ref = Reference.load("llama");
        try (Engine e = engine(ref.model(), all ? -1 : half(ref), GGMLType.F16, 256, 64)) {
            e.allLogits(ref.inputIds());
            int pos = ref.inputIds().length;
            for (int k = 0; k < 4; k++) {
                ClBackend.Traffic before = ((ClBackend) e.accel).traffic();
                e.step(1 + k, pos + k);
                ClBackend.Traffic after = ((ClBackend) e.accel).traffic();
                // all: the logits; half: the hidden state at the split. Nothing is written but int metadata.
                assertEquals(1, after.reads() - before.reads(), "reads per step");
                assertEquals(0, after.writes() - before.writes(), "activation uploads per step");
                assertTrue(after.intWrites() - before.intWrites() <= 7, "metadata writes " + (after.intWrites() - before.intWrites()));
                assertTrue(after.launches() - before.launches() > 10, "kernels ran on the device");
            }
        }
    }
}
