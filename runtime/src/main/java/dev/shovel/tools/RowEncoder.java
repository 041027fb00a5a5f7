package dev.shovel.tools;

import dev.shovel.ggml.TypeOps;
import dev.shovel.gguf.GGMLType;
import java.lang.foreign.MemorySegment;
import java.util.stream.IntStream;

/**
 * Encodes a [rows][n] tensor row by row into its ggml type. Rows are produced and quantized in parallel into a heap
 * slab, then copied into the destination by the calling thread (the writer's mapping is confined to it), so memory
 * stays bounded by the slab size whatever the tensor size.
 */
final class RowEncoder {
    private RowEncoder() {}

    /** Produces the {@code n} floats of row {@code r}; must be thread-safe and depend only on {@code r}. */
    @FunctionalInterface
    interface RowSource {
        void row(long r, float[] out);
    }

    static final int SLAB_BYTES = 8 << 20;
    private static final ThreadLocal<float[]> BUF = ThreadLocal.withInitial(() -> new float[0]);

    static void encode(MemorySegment dst, GGMLType type, int n, long rows, RowSource src) {
        TypeOps ops = TypeOps.of(type);
        long rowBytes = type.bytesFor(n);
        int slabRows = (int) Math.max(1, Math.min(rows, SLAB_BYTES / rowBytes));
        byte[] slab = new byte[Math.toIntExact(slabRows * rowBytes)];
        MemorySegment heap = MemorySegment.ofArray(slab);
        for (long r0 = 0; r0 < rows; r0 += slabRows) {
            long base = r0;
            int count = (int) Math.min(slabRows, rows - r0);
            IntStream.range(0, count).parallel().forEach(i -> {
                float[] buf = BUF.get();
                if (buf.length < n) {
                    buf = new float[n];
                    BUF.set(buf);
                }
                src.row(base + i, buf);
                ops.quantize(buf, 0, heap, i * rowBytes, n);
            });
            MemorySegment.copy(heap, 0, dst, r0 * rowBytes, count * rowBytes);
        }
    }
}
