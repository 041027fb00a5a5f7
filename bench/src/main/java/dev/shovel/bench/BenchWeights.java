package dev.shovel.bench;

import dev.shovel.ggml.TypeOps;
import dev.shovel.gguf.GGMLType;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Random;

/** Weight matrices for the kernel benchmarks: random block bytes with small finite fp16 scales (fast to make). */
final class BenchWeights {
    private BenchWeights() {}

    static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /** Byte offsets of a block's fp16 fields, which random bytes must not make Inf/NaN. */
    static int[] halfFields(GGMLType t) {
        return switch (t) {
            case Q4_0, Q5_0, Q8_0, IQ4_NL, IQ4_XS -> new int[] {0};
            case Q4_1, Q5_1, Q4_K, Q5_K -> new int[] {0, 2};
            case Q2_K -> new int[] {80, 82};
            case Q3_K -> new int[] {108};
            case Q6_K -> new int[] {208};
            default -> new int[0];
        };
    }

    static MemorySegment make(GGMLType t, int rows, int n, Arena arena) {
        Random r = new Random(1);
        long bytes = t.bytesFor((long) rows * n);
        MemorySegment w = arena.allocate(bytes, 64);
        if (t.blockSize == 1) { // plain floats: quantize random values
            TypeOps ops = TypeOps.of(t);
            float[] row = new float[n];
            for (int i = 0; i < rows; i++) {
                for (int j = 0; j < n; j++) row[j] = (float) r.nextGaussian() * 0.02f;
                ops.quantize(row, 0, w, i * ops.rowBytes(n), n);
            }
            return w;
        }
        byte[] chunk = new byte[t.typeSize];
        for (long b = 0; b < bytes / t.typeSize; b++) {
            r.nextBytes(chunk);
            MemorySegment.copy(chunk, 0, w, ValueLayout.JAVA_BYTE, b * t.typeSize, chunk.length);
            for (int h : halfFields(t)) w.set(I16, b * t.typeSize + h, Float.floatToFloat16((float) r.nextGaussian() * 0.01f));
        }
        return w;
    }

    static float[] activations(int len) {
        Random r = new Random(2);
        float[] x = new float[len];
        for (int i = 0; i < len; i++) x[i] = (float) r.nextGaussian();
        return x;
    }
}
