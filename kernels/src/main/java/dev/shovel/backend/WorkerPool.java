package dev.shovel.backend;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * A persistent pool: the caller and {@code threads - 1} daemon workers share the chunks of each job.
 * Which thread runs a chunk never changes what the chunk computes, so results do not depend on the thread count.
 */
public final class WorkerPool implements AutoCloseable {
    /** One parallel job: {@code run(chunk)} for every chunk in [0, chunks). */
    @FunctionalInterface
    public interface Chunked {
        void run(int chunk);
    }

    private static final int SPINS = 20_000;
    /** The chunk counter while a new job is being published: no claim succeeds. */
    private static final int CLOSED = Integer.MAX_VALUE;

    private final int threads;
    private final Thread[] workers;
    /**
     * (generation << 32) | next chunk. A new job first closes the counter, then publishes its task and size, then opens
     * it at chunk 0: a claim (a compare-and-set of the value read before the task) can only succeed while the task
     * and size read after it are still current.
     */
    private final AtomicLong ticket = new AtomicLong();
    private final AtomicInteger done = new AtomicInteger();
    private volatile Chunked job;
    private volatile int chunks;
    private int generation;
    private volatile boolean closed;
    private volatile RuntimeException failure;

    public WorkerPool(int threads) {
        if (threads < 1) throw new IllegalArgumentException("threads must be at least 1, got " + threads);
        this.threads = threads;
        this.workers = new Thread[threads - 1];
        for (int i = 0; i < workers.length; i++) {
            Thread t = new Thread(this::workLoop, "shovel-worker-" + (i + 1));
            t.setDaemon(true);
            workers[i] = t;
            t.start();
        }
    }

    public int threads() { return threads; }

    /** Runs {@code job} over {@code n} chunks and returns when all are done. Not reentrant. */
    public void run(int n, Chunked task) {
        if (closed) throw new IllegalStateException("worker pool is closed");
        if (n <= 0) return;
        if (threads == 1 || n == 1) {
            for (int c = 0; c < n; c++) task.run(c);
            return;
        }
        failure = null;
        done.set(0);
        generation++;
        ticket.set(((long) generation << 32) | CLOSED);
        chunks = n;
        job = task;
        ticket.set((long) generation << 32);
        for (Thread w : workers) LockSupport.unpark(w);
        drain();
        int spins = 0;
        while (done.get() < n) {
            if (++spins > SPINS) Thread.yield();
            else Thread.onSpinWait();
        }
        job = null;
        RuntimeException f = failure;
        if (f != null) throw f;
    }

    /** Claims and runs chunks of the current job until none is left. */
    private void drain() {
        while (true) {
            long v = ticket.get();
            Chunked task = job;
            int n = chunks;
            int c = (int) v;
            if (c == CLOSED) { // a job is being published: it opens in a moment
                Thread.onSpinWait();
                continue;
            }
            if (task == null || c >= n) return;
            if (!ticket.compareAndSet(v, v + 1)) continue;
            try {
                task.run(c);
            } catch (RuntimeException | Error e) {
                failure = e instanceof RuntimeException r ? r : new RuntimeException(e);
            } finally {
                done.incrementAndGet();
            }
        }
    }

    private void workLoop() {
        long seen = 0;
        while (!closed) {
            int spins = 0;
            while ((ticket.get() >>> 32) == seen && !closed) {
                if (++spins < SPINS) Thread.onSpinWait();
                else LockSupport.parkNanos(this, 1_000_000L);
            }
            if (closed) return;
            seen = ticket.get() >>> 32;
            drain();
        }
    }

    /** Splits [0, n) into {@code parts} contiguous ranges; returns the start of range {@code i} (i may equal parts). */
    public static int split(int n, int parts, int i) {
        return (int) ((long) n * i / parts);
    }

    @Override
    public void close() {
        closed = true;
        for (Thread w : workers) LockSupport.unpark(w);
    }
}
