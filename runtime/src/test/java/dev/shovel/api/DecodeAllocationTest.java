package dev.shovel.api;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shovel.gen.Sampler;
import dev.shovel.gen.SamplerParams;
import java.lang.management.ManagementFactory;
import dev.shovel.model.Reference;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Warm decode steps allocate (almost) nothing on the heap: counted bytes, not time. */
class DecodeAllocationTest {

    static long allocated(com.sun.management.ThreadMXBean mx) {
        long sum = 0;
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t == Thread.currentThread() || t.getName().startsWith("shovel-worker")) {
                long b = mx.getThreadAllocatedBytes(t.threadId());
                if (b > 0) sum += b;
            }
        }
        return sum;
    }

    /** The embedded model (F32), and reference models whose Q8_0/Q4_0 weights the CPU backend repacks at load. */
    @ParameterizedTest
    @ValueSource(strings = {"embedded", "llamaq-q8_0", "llamaq-q4_0", "llamaq-q4_k", "llamaq-q6_k"})
    void warmDecodeStepsAllocateUnderAFewKilobytesPerToken(String name) {
        var mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        ModelOptions o = ModelOptions.defaults().withThreads(2).withCtxSize(512);
        try (Model m = name.equals("embedded") ? Model.loadDefault(o) : Model.load(Reference.load(name).model(), o);
             Session s = m.newSession()) {
            Sampler sampler = new Sampler(SamplerParams.DEFAULT.withSeed(3), m.config().nVocab());
            int[] history = new int[512];
            int len = 0;
            float[] logits;
            int token = 0;
            for (int round = 0; round < 5; round++) { // warm-up: JIT (every kernel compiled by C2), thread-local buffers
                s.reset();
                logits = s.evaluate(new int[] {1, 10, 20});
                for (int i = 0; i < 400; i++) {
                    token = sampler.sample(logits, 0, history, len);
                    history[len++ % 512] = token;
                    logits = s.decode(token);
                }
            }
            s.reset();
            logits = s.evaluate(new int[] {1, 10, 20});
            len = 0;
            int steps = 32;
            long before = allocated(mx);
            for (int i = 0; i < steps; i++) {
                token = sampler.sample(logits, 0, history, len);
                history[len++] = token;
                logits = s.decode(token);
            }
            long perToken = (allocated(mx) - before) / steps;
            if (perToken > 4096) { // where: worker vs caller, and the JIT's state
                for (Thread t : Thread.getAllStackTraces().keySet()) System.out.println("  " + t.getName() + " " + mx.getThreadAllocatedBytes(t.threadId()));
                long b2 = allocated(mx);
                for (int i = 0; i < steps; i++) { token = sampler.sample(logits, 0, history, len); history[len++] = token; logits = s.decode(token); }
                System.out.println("  again: " + (allocated(mx) - b2) / steps);
            }
            System.out.printf("decode (%s): %d bytes allocated per token (%d threads)%n", name, perToken, m.threads());
            assertTrue(perToken < 4096, perToken + " bytes per token");
        }
    }
}
