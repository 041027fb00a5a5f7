package dev.shovel.backend;

import jdk.incubator.vector.FloatVector;

/**
 * The float FMA rate the Vector API reaches with a given number of threads: the ceiling for compute-bound prefill, as
 * {@link Bandwidth} is decode's. Each thread runs twelve independent FMA chains on registers (enough to cover the
 * latency of two FMA ports).
 */
public final class FmaPeak {
    static volatile float sink;

    private FmaPeak() {}

    /** Best of several passes, in GFLOP/s (an FMA counts as two). */
    public static double measure(int threads) {
        int iters = 20_000_000;
        try (WorkerPool pool = new WorkerPool(threads)) {
            float[] out = new float[threads];
            double best = 0;
            for (int pass = 0; pass < 5; pass++) {
                long t0 = System.nanoTime();
                pool.run(threads, c -> out[c] = chains(iters));
                double s = (System.nanoTime() - t0) / 1e9;
                best = Math.max(best, 2.0 * 12 * FloatVector.SPECIES_PREFERRED.length() * iters * threads / s / 1e9);
                for (float v : out) sink += v;
            }
            return best;
        }
    }

    private static float chains(int iters) {
        var s = FloatVector.SPECIES_PREFERRED;
        FloatVector m = FloatVector.broadcast(s, 0.999999f), a = FloatVector.broadcast(s, 1e-7f);
        FloatVector c0 = FloatVector.broadcast(s, 1f), c1 = c0.add(1), c2 = c0.add(2), c3 = c0.add(3), c4 = c0.add(4), c5 = c0.add(5);
        FloatVector c6 = c0.add(6), c7 = c0.add(7), c8 = c0.add(8), c9 = c0.add(9), c10 = c0.add(10), c11 = c0.add(11);
        for (int i = 0; i < iters; i++) {
            c0 = c0.fma(m, a); c1 = c1.fma(m, a); c2 = c2.fma(m, a); c3 = c3.fma(m, a); c4 = c4.fma(m, a); c5 = c5.fma(m, a);
            c6 = c6.fma(m, a); c7 = c7.fma(m, a); c8 = c8.fma(m, a); c9 = c9.fma(m, a); c10 = c10.fma(m, a); c11 = c11.fma(m, a);
        }
        return c0.add(c1).add(c2).add(c3).add(c4).add(c5).add(c6).add(c7).add(c8).add(c9).add(c10).add(c11)
                .reduceLanes(jdk.incubator.vector.VectorOperators.ADD);
    }
}
