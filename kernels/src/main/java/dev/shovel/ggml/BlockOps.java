package dev.shovel.ggml;

import java.lang.foreign.MemorySegment;

/**
 * A block type's GEMM: the float {@link Gemm} over rows decoded a slice at a time ({@link #decodeSpan}), or, without
 * vector kernels or with a row length the vector pairs do not divide, one {@link #dot} per output. Results depend
 * neither on the batch position nor on the split of rows across threads, and equal the one-row dot bit for bit for
 * the types whose dot decodes as {@link #decodeSpan} does (F32, F16, BF16 and the {@link QuantOps} types).
 */
abstract class BlockOps extends TypeOps {

    @Override
    public void gemm(MemorySegment w, int n, float[] x, int nb, float[] out, int outStride, int r0, int r1) {
        gemm(this, w, n, x, nb, out, outStride, r0, r1);
    }

    /** Decodes {@code n} elements (whole blocks) at byte {@code off} into dst[o..o+n); types override with vectors. */
    void decodeSpan(MemorySegment w, long off, float[] dst, int o, int n) { dequantize(w, off, dst, o, n); }

    /**
     * The GEMM entry. Final types call it (and {@link #matvec(BlockOps, MemorySegment, int, float[], int, float[],
     * int, int, int)}) from their own overrides with {@code this}, so each type gets its own compiled dot loop.
     */
    static void gemm(BlockOps ops, MemorySegment w, int n, float[] x, int nb, float[] out, int outStride, int r0, int r1) {
        long rb = ops.rowBytes(n);
        if (Vec.OK && nb > 1 && n % (2 * Vec.L) == 0) { // the dot's chunk pairs: each batch row gets the dot's result
            Gemm.gemm((r, rows, k0, ks, wb) -> {
                long co = ops.type().bytesFor(k0);
                for (int i = 0; i < rows; i++) ops.decodeSpan(w, (r + i) * rb + co, wb, i * ks, ks);
            }, n, x, nb, out, outStride, r0, r1);
            return;
        }
        for (int b = 0; b < nb; b++) {
            for (int r = r0; r < r1; r++) out[b * outStride + r] = ops.dot(w, r * rb, x, b * n, n);
        }
    }

    static void matvec(BlockOps ops, MemorySegment w, int n, float[] x, int xOff, float[] out, int outOff, int r0, int r1) {
        long rb = ops.rowBytes(n);
        for (int r = r0; r < r1; r++) out[outOff + r] = ops.dot(w, r * rb, x, xOff, n);
    }
}
