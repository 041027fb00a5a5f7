package dev.shovel.ggml;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;

/**
 * A block-quantized type. Its Vector API {@link #decode} turns up to {@link #CHUNK} elements into floats in a small
 * buffer (bit-identical to {@link #dequantize}); dot and the 4-row GEMM tile then stream that buffer against the
 * activations. Keeping decode and the FMA loop in separate small methods keeps each within C2's inlining budget.
 */
abstract class QuantOps extends BlockOps {
    static final int CHUNK = 256;

    private final int blockSize = type().blockSize, typeSize = type().typeSize;

    /** Vector decode of {@code n} elements (whole blocks, n <= CHUNK) at byte {@code off} into dst[0..n). */
    abstract void decode(MemorySegment w, long off, float[] dst, int n);

    private long offsetOf(int i) { return (long) (i / blockSize) * typeSize; }

    @Override
    public float dot(MemorySegment w, long off, float[] x, int xOff, int n) {
        if (!Vec.OK) return dotScalar(w, off, x, xOff, n);
        return dot(w, off, x, xOff, n, new float[CHUNK]);
    }

    /** {@link #dot} with a caller's decode buffer of {@link #CHUNK} floats. */
    private float dot(MemorySegment w, long off, float[] x, int xOff, int n, float[] buf) {
        FloatVector a0 = FloatVector.zero(Vec.F), a1 = a0;
        for (int i = 0; i < n; i += CHUNK) {
            int m = Math.min(CHUNK, n - i);
            decode(w, off + offsetOf(i), buf, m);
            int xo = xOff + i;
            for (int j = 0; j < m; j += 2 * Vec.L) {
                a0 = Vec.x(buf, j).fma(Vec.x(x, xo + j), a0);
                a1 = Vec.x(buf, j + Vec.L).fma(Vec.x(x, xo + j + Vec.L), a1);
            }
        }
        return Vec.sum(a0.add(a1));
    }

    @Override
    void dot4(MemorySegment w, long off, float[] x, int x0, int x1, int x2, int x3, int n,
              float[] out, int o0, int o1, int o2, int o3) {
        if (!Vec.OK) { dot4Scalar(w, off, x, x0, x1, x2, x3, n, out, o0, o1, o2, o3); return; }
        dot4(w, off, x, x0, x1, x2, x3, n, out, o0, o1, o2, o3, new float[CHUNK]);
    }

    private void dot4(MemorySegment w, long off, float[] x, int x0, int x1, int x2, int x3, int n,
                      float[] out, int o0, int o1, int o2, int o3, float[] buf) {
        FloatVector a0 = FloatVector.zero(Vec.F), a1 = a0, b0 = a0, b1 = a0, c0 = a0, c1 = a0, e0 = a0, e1 = a0;
        for (int i = 0; i < n; i += CHUNK) {
            int m = Math.min(CHUNK, n - i);
            decode(w, off + offsetOf(i), buf, m);
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

    @Override
    public void matvec(MemorySegment w, int n, float[] x, int xOff, float[] out, int outOff, int r0, int r1) {
        if (!Vec.OK) { super.matvec(w, n, x, xOff, out, outOff, r0, r1); return; }
        long rb = rowBytes(n);
        float[] buf = new float[CHUNK];
        for (int r = r0; r < r1; r++) out[outOff + r] = dot(w, r * rb, x, xOff, n, buf);
    }

    @Override
    public void gemm(MemorySegment w, int n, float[] x, int nb, float[] out, int outStride, int r0, int r1) {
        if (!Vec.OK) { super.gemm(w, n, x, nb, out, outStride, r0, r1); return; }
        long rb = rowBytes(n);
        float[] buf = new float[CHUNK];
        for (int r = r0; r < r1; r++) {
            long off = r * rb;
            int b = 0;
            for (; b + 4 <= nb; b += 4) {
                dot4(w, off, x, b * n, (b + 1) * n, (b + 2) * n, (b + 3) * n, n,
                        out, b * outStride + r, (b + 1) * outStride + r, (b + 2) * outStride + r, (b + 3) * outStride + r, buf);
            }
            for (; b < nb; b++) out[b * outStride + r] = dot(w, off, x, b * n, n, buf);
        }
    }
}
