package dev.shovel.ggml;

import dev.shovel.gguf.GGMLType;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/** Random inputs and small helpers for the kernel tests. */
final class TestData {
    private TestData() {}

    static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /** Every type that has kernels. */
    static List<GGMLType> supportedTypes() {
        return Arrays.stream(GGMLType.values()).filter(TypeOps::supported).toList();
    }

    static float[] gaussian(Random r, int n, double sigma) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) (r.nextGaussian() * sigma);
        return a;
    }

    static MemorySegment alloc(long bytes) {
        return Arena.ofAuto().allocate(Math.max(1, bytes), 64);
    }

    /** rows x n weights quantized with the type's reference quantizer. */
    static MemorySegment quantized(TypeOps ops, float[] x, int rows, int n) {
        long rb = ops.rowBytes(n);
        MemorySegment w = alloc(rb * rows);
        for (int r = 0; r < rows; r++) ops.quantize(x, r * n, w, r * rb, n);
        return w;
    }

    /** Byte offsets of the fp16 fields of one block (scales), which random bytes must not turn into Inf/NaN. */
    static int[] halfFields(GGMLType t) {
        return switch (t) {
            case Q4_0, Q5_0, Q8_0, IQ4_NL, IQ4_XS -> new int[] {0};
            case MXFP4 -> new int[0]; // its E8M0 byte is set apart (see randomBlocks)
            case Q4_1, Q5_1, Q4_K, Q5_K -> new int[] {0, 2};
            case Q2_K -> new int[] {80, 82};
            case Q3_K -> new int[] {108};
            case Q6_K -> new int[] {208};
            default -> null;
        };
    }

    /**
     * rows x n weights of uniformly random block bytes (every bit pattern of the quants and packed scales),
     * with finite random scales (fp16 scales N(0, 0.02), MXFP4 exponents 0..150); null for plain float types.
     */
    static MemorySegment randomBlocks(Random r, GGMLType t, int rows, int n) {
        int[] halves = halfFields(t);
        if (halves == null) return null;
        long bytes = t.bytesFor((long) rows * n);
        MemorySegment w = alloc(bytes);
        byte[] b = new byte[(int) bytes];
        r.nextBytes(b);
        MemorySegment.copy(b, 0, w, ValueLayout.JAVA_BYTE, 0, b.length);
        for (long blk = 0; blk < bytes / t.typeSize; blk++) {
            for (int h : halves) {
                w.set(I16, blk * t.typeSize + h, Float.floatToFloat16((float) (r.nextGaussian() * 0.02)));
            }
            // E8M0 exponents 0..150: scales 2^-128 (subnormal) .. 2^22, no infinities
            if (t == GGMLType.MXFP4) w.set(ValueLayout.JAVA_BYTE, blk * t.typeSize, (byte) r.nextInt(151));
        }
        return w;
    }

    static double sumAbsProducts(float[] w, int wOff, float[] x, int xOff, int n) {
        double s = 0;
        for (int i = 0; i < n; i++) s += Math.abs((double) w[wOff + i] * x[xOff + i]);
        return s;
    }

    static float[] dequantizeAll(TypeOps ops, MemorySegment w, int rows, int n) {
        float[] out = new float[rows * n];
        for (int r = 0; r < rows; r++) ops.row(w, n, r, out, r * n);
        return out;
    }
}
