package dev.shovel.server;

import java.io.FilterInputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Read and write timeouts for the JDK's HttpServer, which has none per operation: a read or write blocked longer than
 * the limit (a client that stops sending, or stops reading its stream) gets its thread interrupted, which closes the
 * socket channel under it and makes the call fail with an IOException. The same clock bounds the time a request's
 * headers take to arrive, and cuts a stream whose reader falls too far behind its generation.
 */
final class Watchdog implements AutoCloseable {
    private final long limitNanos;
    private final Set<Timer> active = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService clock;

    Watchdog(long limitSeconds) {
        this.limitNanos = TimeUnit.SECONDS.toNanos(limitSeconds);
        this.clock = Executors.newSingleThreadScheduledExecutor(r -> Thread.ofPlatform().name("shovel-http-watchdog").daemon().unstarted(r));
        clock.scheduleWithFixedDelay(this::check, 250, 250, TimeUnit.MILLISECONDS);
    }

    private void check() {
        long now = System.nanoTime();
        for (Timer t : active) {
            dev.shovel.engine.Generation g = t.stream;
            if (g != null && !t.overflow && g.backlog() > t.maxBacklog) { // a reader too slow for its stream
                t.backlogSeen = g.backlog();
                t.overflow = true;
                g.cancel(); // the slot goes to the next request at once, whatever the blocked write does
                fire(t, t.since.get());
            }
            long since = t.since.get();
            if (now - since > t.limit) fire(t, since);
        }
    }

    /** Interrupts the timer's thread if it still blocks in the call that began at {@code since}. */
    private static void fire(Timer t, long since) {
        Thread owner = t.owner;
        // fire only if the call still blocks: a call that ends meanwhile wins the swap and is left alone
        if (since != IDLE && since != FIRED && owner != null && t.since.compareAndSet(since, FIRED)) owner.interrupt();
    }

    private static final long IDLE = 0, FIRED = Long.MIN_VALUE;

    /** The clock of one exchange's blocking calls; closed with the exchange. */
    Timer timer() { return timer(limitNanos); }

    /** A clock with a limit of its own (the header timeout). */
    Timer timer(long limit) {
        Timer t = new Timer(limit);
        active.add(t);
        return t;
    }

    @Override
    public void close() { clock.shutdownNow(); }

    final class Timer implements AutoCloseable {
        final java.util.concurrent.atomic.AtomicLong since = new java.util.concurrent.atomic.AtomicLong(IDLE);
        final long limit;
        volatile Thread owner;
        volatile boolean timedOut;
        volatile dev.shovel.engine.Generation stream; // a streamed answer whose backlog is watched
        volatile int maxBacklog;
        volatile boolean overflow;
        volatile int backlogSeen;

        Timer(long limit) { this.limit = limit; }

        /** Watches a streamed generation: more than {@code max} events not yet taken cancels it and cuts the writes. */
        void watch(dev.shovel.engine.Generation g, int max) {
            maxBacklog = max;
            stream = g;
        }

        /** The watched stream fell too far behind (its generation is cancelled). */
        boolean overflowed() { return overflow; }

        /** The call in progress was cut by the watchdog. */
        boolean fired() { return since.get() == FIRED; }

        void begin() throws IOException {
            if (timedOut) throw new InterruptedIOException("timed out: the client did not send or read for the timeout");
            owner = Thread.currentThread();
            long now = System.nanoTime();
            since.set(now == IDLE || now == FIRED ? now + 1 : now);
        }

        /** Ends a timed call; a call cut by the watchdog clears the interrupt and fails as a timeout. */
        void end(IOException failure) throws IOException {
            if (since.getAndSet(IDLE) == FIRED) {
                timedOut = true;
                Thread.interrupted();
                throw new InterruptedIOException("timed out: the client did not send or read for the timeout");
            }
            if (failure != null) throw failure;
        }

        boolean timedOut() { return timedOut; }

        /** A blocking call on the exchange's streams. */
        private interface Io<T> {
            T run() throws IOException;
        }

        private <T> T timed(Io<T> io) throws IOException {
            begin();
            T result = null;
            IOException failure = null;
            try {
                result = io.run();
            } catch (IOException e) {
                failure = e;
            }
            end(failure);
            return result;
        }

        InputStream input(InputStream in) {
            return new FilterInputStream(in) {
                @Override
                public int read() throws IOException {
                    byte[] one = new byte[1];
                    int n = read(one, 0, 1);
                    return n < 0 ? -1 : one[0] & 0xff;
                }

                @Override
                public int read(byte[] b, int off, int len) throws IOException {
                    return timed(() -> in.read(b, off, len));
                }
            };
        }

        OutputStream output(OutputStream out) {
            return new FilterOutputStream(out) {
                @Override
                public void write(int b) throws IOException { write(new byte[] {(byte) b}, 0, 1); }

                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    timed(() -> {
                        out.write(b, off, len);
                        return null;
                    });
                }

                @Override
                public void flush() throws IOException {
                    timed(() -> {
                        out.flush();
                        return null;
                    });
                }

                @Override
                public void close() throws IOException {
                    timed(() -> {
                        out.close();
                        return null;
                    });
                }
            };
        }

        @Override
        public void close() {
            active.remove(this);
            if (since.getAndSet(IDLE) == FIRED || timedOut) Thread.interrupted();
        }
    }
}
