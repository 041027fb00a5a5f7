package dev.shovel.tools;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.shovel.gguf.GGMLType;
import dev.shovel.gguf.GGUFFile;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The 1.1B-shape Q8_0 file (1.17 GB, ~30 s on 2 cores); runs only with -Dshovel.slowTests=true. */
class SynthLargeTest {
    @TempDir Path dir;

    @Test
    void tinyLlamaShapeQ8_0() {
        assumeTrue(Boolean.getBoolean("shovel.slowTests"), "set -Dshovel.slowTests=true to run");
        Path p = dir.resolve("synth-1.1B-q8_0.gguf");
        long t0 = System.nanoTime();
        Synth.write(SynthSpec.tinyLlama().weights(GGMLType.Q8_0).build(), p);
        double s = (System.nanoTime() - t0) / 1e9;
        System.out.printf("1.1B Q8_0 synth: %.1f s%n", s);
        try (GGUFFile g = GGUFFile.open(p)) {
            assertEquals(2 + 1 + 22 * 9, g.tensors().size());
            assertEquals(1_170_029_088L, g.fileSize());
            assertArrayEquals(new long[] {5632, 2048}, g.tensor("blk.21.ffn_down.weight").dims());
            assertEquals(32000, g.getStringArray("tokenizer.ggml.tokens").length);
        }
        assertTrue(s < 60, "took " + s + " s");
    }
}
