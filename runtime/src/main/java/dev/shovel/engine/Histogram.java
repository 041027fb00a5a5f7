package dev.shovel.engine;

import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counts of durations at or under each bound (seconds), Prometheus' histogram: observations go in from the engine's
 * loop, snapshots are read from any thread.
 */
public final class Histogram {
    private final double[] bounds;
    private final LongAdder[] counts; // one per bound, plus +Inf
    private final DoubleAdder sum = new DoubleAdder();

    public Histogram(double... bounds) {
        this.bounds = bounds.clone();
        this.counts = new LongAdder[bounds.length + 1];
        for (int i = 0; i < counts.length; i++) counts[i] = new LongAdder();
    }

    public void observe(long nanos) {
        double s = nanos / 1e9;
        int i = 0;
        while (i < bounds.length && s > bounds[i]) i++;
        counts[i].increment();
        sum.add(s);
    }

    public double[] bounds() { return bounds.clone(); }

    /** Cumulative counts: observations at or under each bound, then all of them (+Inf). */
    public long[] cumulative() {
        long[] c = new long[counts.length];
        long t = 0;
        for (int i = 0; i < c.length; i++) c[i] = t += counts[i].sum();
        return c;
    }

    /** Seconds observed, summed. */
    public double sum() { return sum.sum(); }
}
