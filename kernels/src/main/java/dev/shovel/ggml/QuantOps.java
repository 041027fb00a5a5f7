package dev.shovel.ggml;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;

/**
 * A block-quantized type. Its Vector API {@link #decode} turns up to {@link #CHUNK} elements into floats in a small
 * buffer (bit-identical to {@link #dequantize}); dot and the 4-row GEMM tile then stream that buffer against the
 * activations. Keeping decode and the FMA loop apart keeps each compilation within C2's inlining budget.
 * <p>
 * Each concrete type overrides dot, matvec and gemm with one-line calls to the static loops, passing
 * itself: every type then gets its own compiled loop with its decode inlined. A loop shared by all types would see
 * several decode receivers, inline two of them and blow the budget (vectors get boxed, 10x slower).
 */
abstract class QuantOps extends BlockOps {
    static final int CHUNK = 256;
    /** Per-thread decode buffer, so matvec and gemm allocate nothing per call. */
    private static final ThreadLocal<float[]> BUF = ThreadLocal.withInitial(() -> new float[CHUNK]);

    /** Vector decode of {@code n} elements (whole blocks, n <= CHUNK) at byte {@code off} into dst[0..n). */
    abstract void decode(MemorySegment w, long off, float[] dst, int n);

    private static long offsetOf(QuantOps ops, int i) {
        return (long) (i / ops.type().blockSize) * ops.type().typeSize;
    }

    static float dot(QuantOps ops, MemorySegment w, long off, float[] x, int xOff, int n) {
        if (!Vec.OK) return ops.dotScalar(w, off, x, xOff, n);
        return dot(ops, w, off, x, xOff, n, BUF.get());
    }

    private static float dot(QuantOps ops, MemorySegment w, long off, float[] x, int xOff, int n, float[] buf) {
        FloatVector a0 = FloatVector.zero(Vec.F), a1 = a0;
        for (int i = 0; i < n; i += CHUNK) {
            int m = Math.min(CHUNK, n - i);
            ops.decode(w, off + offsetOf(ops, i), buf, m);
            int xo = xOff + i;
            for (int j = 0; j < m; j += 2 * Vec.L) {
                a0 = Vec.x(buf, j).fma(Vec.x(x, xo + j), a0);
                a1 = Vec.x(buf, j + Vec.L).fma(Vec.x(x, xo + j + Vec.L), a1);
            }
        }
        return Vec.sum(a0.add(a1));
    }

    static void matvec(QuantOps ops, MemorySegment w, int n, float[] x, int xOff, float[] out, int outOff, int r0, int r1) {
        long rb = ops.rowBytes(n);
        if (!Vec.OK) {
            for (int r = r0; r < r1; r++) out[outOff + r] = ops.dotScalar(w, r * rb, x, xOff, n);
            return;
        }
        float[] buf = BUF.get();
        for (int r = r0; r < r1; r++) out[outOff + r] = dot(ops, w, r * rb, x, xOff, n, buf);
    }

    /** Chunks of the vector {@link #decode}, copied into place. */
    @Override
    void decodeSpan(MemorySegment w, long off, float[] dst, int o, int n) {
        if (!Vec.OK) {
            dequantize(w, off, dst, o, n);
            return;
        }
        float[] buf = BUF.get();
        for (int i = 0; i < n; i += CHUNK) {
            int m = Math.min(CHUNK, n - i);
            decode(w, off + offsetOf(this, i), buf, m);
            System.arraycopy(buf, 0, dst, o + i, m);
        }
    }
}
