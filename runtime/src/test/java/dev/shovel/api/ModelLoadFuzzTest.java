package dev.shovel.api;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.shovel.model.ModelConfig;
import dev.shovel.tools.Synth;
import dev.shovel.tools.SynthSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import dev.shovel.ShovelException;
import dev.shovel.gguf.GGUFFile;

/**
 * Model loading from any GGUF bytes: configuration, tokenizer, tensors resolved, then one forward step; or a
 * one-line {@link ShovelException}. Nothing else escapes. Replays its inputs under {@code mvn test}; fuzzes with
 * {@code JAZZER_FUZZ=1}.
 */
class ModelLoadFuzzTest {
    static final ModelOptions OPTIONS = ModelOptions.defaults().withThreads(1).withCtxSize(16).withBatchSize(8);

    @FuzzTest(maxDuration = "30m")
    void load(byte[] data) {
        // CPU time, so other processes do not count; slow once may be class loading, twice is a hang
        var cpu = java.lang.management.ManagementFactory.getThreadMXBean();
        long t0 = cpu.getCurrentThreadCpuTime();
        check(data);
        if (cpu.getCurrentThreadCpuTime() - t0 > 1_000_000_000L) {
            long t1 = cpu.getCurrentThreadCpuTime();
            check(data);
            assertTrue(cpu.getCurrentThreadCpuTime() - t1 < 1_000_000_000L, "an input of " + data.length + " bytes took over 1 s twice");
        }
    }

    /**
     * A random-weight model of a fuzzed architecture and shape (Synth writes what llama.cpp's converter writes), with
     * a few fuzzed bytes overwritten: reaches every architecture's configuration and forward pass.
     */
    @FuzzTest(maxDuration = "30m")
    void synth(FuzzedDataProvider d) throws Exception {
        List<String> archs = ModelConfig.SUPPORTED;
        String arch = archs.get(d.consumeInt(0, archs.size() - 1));
        int heads = d.consumeInt(1, 4);
        SynthSpec.Builder b = SynthSpec.builder().architecture(arch).nLayer(d.consumeInt(1, 3)).nHead(heads)
                .nHeadKv(d.pickValue(new int[] {1, heads})).nEmbd(heads * d.pickValue(new int[] {2, 4, 8, 32}))
                .keyLength(d.pickValue(new int[] {0, 0, 2, 4, 8, 32})).nFf(d.consumeInt(1, 64)).contextLength(d.consumeInt(1, 64))
                .slidingWindow(d.consumeInt(0, 8)).tiedOutput(d.consumeBoolean()).seed(d.consumeLong())
                .weights(d.pickValue(new String[] {"f32", "f16", "bf16", "q8_0", "q4_0", "q4_k", "iq4_nl", "mxfp4"}));
        if (d.consumeBoolean()) {
            int n = d.consumeInt(1, 8);
            b.experts(n, d.consumeInt(1, n), d.consumeInt(1, 64));
        }
        byte[] bytes;
        Path tmp = Files.createTempFile("shovel-fuzz", ".gguf");
        try {
            Synth.write(b.build(), tmp);
            bytes = Files.readAllBytes(tmp);
        } catch (ShovelException e) {
            return; // a shape Synth does not write
        } finally {
            Files.deleteIfExists(tmp);
        }
        for (int i = d.consumeInt(0, 4); i > 0 && bytes.length > 0; i--) {
            bytes[d.consumeInt(0, bytes.length - 1)] = d.consumeByte();
        }
        load(bytes);
    }

    private static void check(byte[] data) {
        GGUFFile f;
        try {
            f = GGUFFile.of(data, "fuzz.gguf");
        } catch (ShovelException e) {
            return; // the reader's own harness covers these
        }
        try (Model m = Model.of(f, OPTIONS); Session s = m.newSession()) {
            assertNotNull(s.generate("hi", GenerationOptions.greedy(1), t -> { }).text());
        } catch (ShovelException e) {
            assertFalse(e.getMessage().contains("\n"), e.getMessage());
        }
        assertFalse(!f.isClosed(), "the file is closed whatever happened");
    }
}
