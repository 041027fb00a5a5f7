package dev.shovel.gguf;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * The GGUF reader on any bytes: it parses, or fails with a one-line {@link GGUFException}; nothing else escapes
 * (no overflow, out-of-bounds, out-of-memory or hang). Replays its inputs under {@code mvn test}; fuzzes with
 * {@code JAZZER_FUZZ=1} (see the README's fuzzing section).
 */
class GGUFFuzzTest {
    @FuzzTest(maxDuration = "30m")
    void parse(byte[] data) {
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

    private static void check(byte[] data) {
        try (GGUFFile f = GGUFFile.of(data, "fuzz.gguf")) {
            for (var e : f.metadata().entrySet()) {
                assertNotNull(e.getValue().display());
                if (e.getValue().type() == GGUFValueType.ARRAY) e.getValue().length();
            }
            for (TensorInfo t : f.tensors().values()) {
                assertNotNull(t.shape());
                t.rows();
                f.tensorData(t).byteSize();
            }
            f.getString("general.architecture", "");
            f.getInt("llama.block_count", 0);
            f.getStringArray("tokenizer.ggml.tokens");
            f.getFloatArray("tokenizer.ggml.scores");
            f.getIntArray("tokenizer.ggml.token_type");
        } catch (GGUFException e) {
            assertFalse(e.getMessage().contains("\n"), e.getMessage());
        }
    }
}
