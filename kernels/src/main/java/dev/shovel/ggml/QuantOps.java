package dev.shovel.ggml;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;

/**
 * A block-quantized type. Its Vector API {@link #decode} turns up to {@link #CHUNK} elements into floats in a small
 * buffer (bit-identical to {@link #dequantize}); dot and the 4-row GEMM tile then stream that buffer against the
 * activations. Keeping decode and the FMA loop apart keeps each compilation within C2's inlining budget.
 * <p>
 * Each concrete type overrides dot, dot4, matvec and gemm with one-line calls to the static loops below, passing
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

    static void dot4(QuantOps ops, MemorySegment w, long off, float[] x, int x0, int x1, int x2, int x3, int n,
                     float[] out, int o0, int o1, int o2, int o3) {
        if (!Vec.OK) { ops.dot4Scalar(w, off, x, x0, x1, x2, x3, n, out, o0, o1, o2, o3); return; }
        dot4(ops, w, off, x, x0, x1, x2, x3, n, out, o0, o1, o2, o3, BUF.get());
    }

    private static void dot4(QuantOps ops, MemorySegment w, long off, float[] x, int x0, int x1, int x2, int x3, int n,
                             float[] out, int o0, int o1, int o2, int o3, float[] buf) {
        FloatVector a0 = FloatVector.zero(Vec.F), a1 = a0, b0 = a0, b1 = a0, c0 = a0, c1 = a0, e0 = a0, e1 = a0;
        for (int i = 0; i < n; i += CHUNK) {
            int m = Math.min(CHUNK, n - i);
            ops.decode(w, off + offsetOf(ops, i), buf, m);
            for (int j = 0; j < m; j += 2 * Vec.L) {
                FloatVector w0 = Vec.x(buf, j), w1 = Vec.x(buf, j + Vec.L);
                int p = i + j, q = p + Vec.L;
                a0 = w0.fma(Vec.x(x, x0 + p), a0); a1 = w1.fma(Vec.x(x, x0 + q), a1);
                b0 = w0.fma(Vec.x(x, x1 + p), b0); b1 = w1.fma(Vec.x(x, x1 + q), b1);
                c0 = w0.fma(Vec.x(x, x2 + p), c0); c1 = w1.fma(Vec.x(x, x2 + q), c1);
                e0 = w0.fma(Vec.x(x, x3 + p), e0); e1 = w1.fma(Vec.x(x, x3 + q), e1);
            }
        }
        out[o0] = Vec.sum(a0.add(a1));
        out[o1] = Vec.sum(b0.add(b1));
        out[o2] = Vec.sum(c0.add(c1));
        out[o3] = Vec.sum(e0.add(e1));
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

    static void gemm(QuantOps ops, MemorySegment w, int n, float[] x, int nb, float[] out, int outStride, int r0, int r1) {
        long rb = ops.rowBytes(n);
        if (!Vec.OK) {
            for (int b = 0; b < nb; b++) for (int r = r0; r < r1; r++) out[b * outStride + r] = ops.dotScalar(w, r * rb, x, b * n, n);
            return;
        }
        float[] buf = BUF.get();
        // batch groups outside, weight rows inside, as BlockOps.gemm
        int b = 0;
        for (; b + 4 <= nb; b += 4) {
            for (int r = r0; r < r1; r++) {
                dot4(ops, w, r * rb, x, b * n, (b + 1) * n, (b + 2) * n, (b + 3) * n, n,
                        out, b * outStride + r, (b + 1) * outStride + r, (b + 2) * outStride + r, (b + 3) * outStride + r, buf);
            }
        }
        for (; b < nb; b++) for (int r = r0; r < r1; r++) out[b * outStride + r] = dot(ops, w, r * rb, x, b * n, n, buf);
    }
}
