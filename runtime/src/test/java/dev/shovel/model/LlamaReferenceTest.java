package dev.shovel.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shovel.gen.Sampler;
import dev.shovel.gguf.GGMLType;
import org.junit.jupiter.api.Test;

/** The Llama forward pass against llama.cpp's logits and greedy tokens (F32 weights, F32 KV cache). */
class LlamaReferenceTest {

    static double maxAbs(float[][] a, float[][] b) {
        double m = 0;
        for (int i = 0; i < a.length; i++) for (int j = 0; j < a[i].length; j++) m = Math.max(m, Math.abs(a[i][j] - b[i][j]));
        return m;
    }

    @Test
    void logitsMatchLlamaCppAtEveryPosition() {
        Reference ref = Reference.load("llama");
        try (Engine e = new Engine(ref.model(), 2, GGMLType.F32, 256, 64)) {
            float[][] got = e.allLogits(ref.inputIds());
            double d = maxAbs(got, ref.logits());
            System.out.printf("llama: max |dlogit| = %.3g over %d positions%n", d, got.length);
            assertTrue(d <= 2e-3, "max |dlogit| " + d);
        }
    }

    @Test
    void greedyContinuationMatchesWhileMarginsAreClear() {
        Reference ref = Reference.load("llama");
        try (Engine e = new Engine(ref.model(), 2, GGMLType.F32, 256, 64)) {
            float[][] prompt = e.allLogits(ref.inputIds());
            float[] logits = prompt[prompt.length - 1];
            int pos = ref.inputIds().length;
            int compared = 0;
            for (int k = 0; k < ref.greedyIds().length && ref.greedyMargins()[k] > 2e-2; k++) {
                int next = Sampler.argmax(logits, 0, logits.length);
                assertEquals(ref.greedyIds()[k], next, "greedy token " + k);
                compared++;
                logits = e.step(next, pos++);
            }
            assertTrue(compared >= 16, "compared only " + compared + " tokens");
        }
    }

    @Test
    void logitsAreBitIdenticalForOneAndTwoThreads() {
        Reference ref = Reference.load("llama");
        float[][] one, two;
        try (Engine e = new Engine(ref.model(), 1, GGMLType.F32, 256, 64)) { one = e.allLogits(ref.inputIds()); }
        try (Engine e = new Engine(ref.model(), 2, GGMLType.F32, 256, 64)) { two = e.allLogits(ref.inputIds()); }
        for (int i = 0; i < one.length; i++) assertArrayEquals(one[i], two[i], 0f, "position " + i);
    }
}
