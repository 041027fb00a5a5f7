package dev.shovel.ggml;

import java.lang.foreign.MemorySegment;

/**
 * A type whose GEMM tile decodes each weight block once for four batch rows ({@link #dot4}). dot4 performs, per
 * batch row, exactly the operations of {@link #dot} in the same order, so every output equals {@code dot} bit for
 * bit, whatever the batch size or the split of rows across threads.
 */
abstract class BlockOps extends TypeOps {

    /** out[oK] = row · x[xK..xK+n) for K = 0..3; each equal bit for bit to {@code dot(w, off, x, xK, n)}. */
    abstract void dot4(MemorySegment w, long off, float[] x, int x0, int x1, int x2, int x3, int n,
                       float[] out, int o0, int o1, int o2, int o3);

    /** Scalar fallback of {@link #dot4} for vector sizes the kernels do not handle. */
    final void dot4Scalar(MemorySegment w, long off, float[] x, int x0, int x1, int x2, int x3, int n,
                          float[] out, int o0, int o1, int o2, int o3) {
        out[o0] = dot(w, off, x, x0, n);
        out[o1] = dot(w, off, x, x1, n);
        out[o2] = dot(w, off, x, x2, n);
        out[o3] = dot(w, off, x, x3, n);
    }

    @Override
    public void gemm(MemorySegment w, int n, float[] x, int nb, float[] out, int outStride, int r0, int r1) {
        gemm(this, w, n, x, nb, out, outStride, r0, r1);
    }

    /**
     * The GEMM tile loop. Final types call it (and {@link #matvec(BlockOps, MemorySegment, int, float[], int, float[],
     * int, int, int)}) from their own overrides with {@code this}, so each type gets its own compiled loop with its dot
     * kernels inlined, instead of one loop whose profile mixes types.
     */
    static void gemm(BlockOps ops, MemorySegment w, int n, float[] x, int nb, float[] out, int outStride, int r0, int r1) {
        long rb = ops.rowBytes(n);
        // batch groups outside, weight rows inside: four x rows stay in L1 while the chunk's rows stream from L2
        int b = 0;
        for (; b + 4 <= nb; b += 4) {
            for (int r = r0; r < r1; r++) {
                ops.dot4(w, r * rb, x, b * n, (b + 1) * n, (b + 2) * n, (b + 3) * n, n,
                        out, b * outStride + r, (b + 1) * outStride + r, (b + 2) * outStride + r, (b + 3) * outStride + r);
            }
        }
        for (; b < nb; b++) {
            for (int r = r0; r < r1; r++) out[b * outStride + r] = ops.dot(w, r * rb, x, b * n, n);
        }
    }

    static void matvec(BlockOps ops, MemorySegment w, int n, float[] x, int xOff, float[] out, int outOff, int r0, int r1) {
        long rb = ops.rowBytes(n);
        for (int r = r0; r < r1; r++) out[outOff + r] = ops.dot(w, r * rb, x, xOff, n);
    }
}
