package dev.shovel.api;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
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
        long t0 = System.nanoTime();
        check(data);
        if (System.nanoTime() - t0 > 1_000_000_000L) { // slow once may be class loading or a busy machine: twice is a hang
            long t1 = System.nanoTime();
            check(data);
            assertTrue(System.nanoTime() - t1 < 1_000_000_000L, "an input of " + data.length + " bytes took over 1 s twice");
        }
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
