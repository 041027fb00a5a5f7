package dev.shovel.backend;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorSpecies;

/** Read-only memory bandwidth with a given number of threads: the ceiling for bandwidth-bound decode. */
public final class Bandwidth {
    private static final VectorSpecies<Long> S = LongVector.SPECIES_PREFERRED;
    static volatile long sink;

    private Bandwidth() {}

    /** Best of several passes over a 1 GiB buffer, in GB/s. */
    public static double measure(int threads) {
        long size = 1L << 30;
        try (Arena arena = Arena.ofShared(); WorkerPool pool = new WorkerPool(threads)) {
            MemorySegment seg = arena.allocate(size, 64);
            seg.fill((byte) 1);
            double best = 0;
            for (int pass = 0; pass < 6; pass++) {
                long t0 = System.nanoTime();
                long[] sums = new long[threads];
                pool.run(threads, c -> sums[c] = sum(seg, WorkerPool.split((int) (size >> 12), threads, c) * 4096L,
                        WorkerPool.split((int) (size >> 12), threads, c + 1) * 4096L));
                double gbs = size / (double) (System.nanoTime() - t0);
                for (long s : sums) sink += s;
                best = Math.max(best, gbs);
            }
            return best;
        }
    }

    private static long sum(MemorySegment seg, long from, long to) {
        int step = S.vectorByteSize() * 4;
        LongVector a = LongVector.zero(S), b = a, c = a, d = a;
        for (long o = from; o + step <= to; o += step) {
            a = a.add(LongVector.fromMemorySegment(S, seg, o, ByteOrder.LITTLE_ENDIAN));
            b = b.add(LongVector.fromMemorySegment(S, seg, o + S.vectorByteSize(), ByteOrder.LITTLE_ENDIAN));
            c = c.add(LongVector.fromMemorySegment(S, seg, o + 2L * S.vectorByteSize(), ByteOrder.LITTLE_ENDIAN));
            d = d.add(LongVector.fromMemorySegment(S, seg, o + 3L * S.vectorByteSize(), ByteOrder.LITTLE_ENDIAN));
        }
        return a.add(b).add(c.add(d)).reduceLanes(jdk.incubator.vector.VectorOperators.ADD);
    }
}
