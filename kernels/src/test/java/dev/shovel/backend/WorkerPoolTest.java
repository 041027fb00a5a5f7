package dev.shovel.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Every chunk of every job runs exactly once, before run returns, even when workers are preempted mid-claim. */
class WorkerPoolTest {
    /** A reused job object, as the backend's tasks are: its fields are cleared after each run. */
    static final class Job implements WorkerPool.Chunked {
        volatile int[] hits;
        final AtomicReference<String> problem;

        Job(AtomicReference<String> problem) { this.problem = problem; }

        @Override
        public void run(int c) {
            int[] h = hits;
            if (h == null) {
                problem.compareAndSet(null, "a chunk ran after its job returned");
                return;
            }
            if (c >= h.length) {
                problem.compareAndSet(null, "chunk " + c + " is outside the job's " + h.length);
                return;
            }
            synchronized (h) {
                h[c]++;
            }
        }
    }

    @Test
    void chunksRunOnceAndNeverAfterTheJobEnds() {
        // more threads than cores: workers get preempted between reading the job and claiming a chunk
        int threads = Runtime.getRuntime().availableProcessors() * 4;
        AtomicReference<String> problem = new AtomicReference<>();
        Job a = new Job(problem), b = new Job(problem);
        AtomicInteger seq = new AtomicInteger();
        try (WorkerPool pool = new WorkerPool(threads)) {
            long end = System.currentTimeMillis() + 3000;
            while (System.currentTimeMillis() < end && problem.get() == null) {
                Job j = seq.getAndIncrement() % 2 == 0 ? a : b;
                int n = 2 + seq.get() % 7;
                int[] hits = new int[n];
                j.hits = hits;
                pool.run(n, j);
                j.hits = null;
                for (int c = 0; c < n; c++) {
                    if (hits[c] != 1) problem.compareAndSet(null, "chunk " + c + " of " + n + " ran " + hits[c] + " times");
                }
            }
        }
        assertNull(problem.get(), problem.get() + " (after " + seq.get() + " jobs)");
        assertEquals(true, seq.get() > 100);
    }
}
