package dev.shovel.api;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shovel.gen.Sampler;
import dev.shovel.gen.SamplerParams;
import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Test;

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

    @Test
    void warmDecodeStepsAllocateUnderAFewKilobytesPerToken() {
        var mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        try (Model m = Model.loadDefault(ModelOptions.defaults().withThreads(2).withCtxSize(512));
             Session s = m.newSession()) {
            Sampler sampler = new Sampler(SamplerParams.DEFAULT.withSeed(3), m.config().nVocab());
            int[] history = new int[512];
            int len = 0;
            float[] logits = s.evaluate(new int[] {1, 403, 407});
            int token = 0;
            for (int i = 0; i < 200; i++) { // warm-up: JIT, thread-local buffers
                token = sampler.sample(logits, 0, history, len);
                history[len++ % 512] = token;
                logits = s.decode(token);
            }
            s.reset();
            logits = s.evaluate(new int[] {1, 403, 407});
            len = 0;
            int steps = 32;
            long before = allocated(mx);
            for (int i = 0; i < steps; i++) {
                token = sampler.sample(logits, 0, history, len);
                history[len++] = token;
                logits = s.decode(token);
            }
            long perToken = (allocated(mx) - before) / steps;
            System.out.printf("decode: %d bytes allocated per token (%d threads)%n", perToken, m.threads());
            assertTrue(perToken < 4096, perToken + " bytes per token");
        }
    }
}
