package dev.shovel.ggml;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.ShortVector;

/**
 * Row-major planes: every row's quant bytes (ggml's {@code qs}, block after block), then every row's fp16 scales. The
 * quants are read aligned and a row's scales are converted sixteen at a time, instead of one fp16 load per block. The
 * dot kernel of a type works on one row with its scales already converted; the GEMM decodes rows into floats.
 */
abstract class RowPlanar extends Planar {
    final long quantRow(int n) { return (long) n / QK * qsBytes(); }

    /** Byte offset of the scale plane in a packed [rows][n] matrix. */
    final long scalePlane(long rows, int n) { return (rows * quantRow(n) + 63) & ~63L; }

    @Override public final long bytes(long rows, int n) { return scalePlane(rows, n) + rows * (n / QK) * 2L; }

    @Override
    public final PlanarMatrix matrix(MemorySegment dst, int rows, int n) {
        return new PlanarMatrix(this, dst, 0, scalePlane(rows, n), rows, n, 0);
    }

    @Override
    public final void pack(MemorySegment src, long rows, int n, MemorySegment dst, long r0, long r1) {
        int nb = n / QK, qs = qsBytes(), bb = qs + 2;
        long sp = scalePlane(rows, n);
        for (long r = r0; r < r1; r++) {
            for (int b = 0; b < nb; b++) {
                long blk = r * nb + b;
                dst.set(I16, sp + blk * 2, src.get(I16, blk * bb));
                MemorySegment.copy(src, blk * bb + 2, dst, blk * qs, qs);
            }
        }
    }

    @Override
    final PlanarMatrix slice(PlanarMatrix m, int first, int count) {
        long nb = m.n() / QK;
        return new PlanarMatrix(m.ops(), m.data(), m.quants() + first * quantRow(m.n()),
                m.scales() + first * nb * 2, count, m.n(), 0);
    }

    @Override
    final void row(PlanarMatrix m, int r, float[] out, int outOff) {
        int nb = m.n() / QK, qs = qsBytes();
        for (int b = 0; b < nb; b++) {
            long blk = (long) r * nb + b;
            float d = Float.float16ToFloat(m.data().get(I16, m.scales() + blk * 2));
            decode(m.data(), m.quants() + blk * qs, d, out, outOff + b * QK);
        }
    }

    /** Scalar: the 32 elements of the block whose quants start at {@code q}, with scale {@code d}, as ggml's. */
    abstract void decode(MemorySegment w, long q, float d, float[] out, int o);

    /**
     * {@link #decode} with vectors (same values), for the GEMM. Kept apart: the embedding lookup runs too rarely for
     * C2, and Vector API code in the lower tiers allocates.
     */
    abstract void decodeVec(MemorySegment w, long q, float d, float[] out, int o);

    /** Per-thread buffer: converted scales. */
    static final class Scratch {
        float[] scales = new float[256];

        float[] scales(int n) { return scales.length >= n ? scales : (scales = new float[n]); }
    }

    static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    /** Converts the fp16 scales of rows [r0, r1) to floats: row r's at out[(r - r0) * nb...]. */
    static void scales(PlanarMatrix m, int r0, int r1, float[] out) {
        int count = (r1 - r0) * (m.n() / QK);
        long off = m.scales() + (long) r0 * (m.n() / QK) * 2;
        MemorySegment d = m.data();
        int i = 0;
        if (Vec.OK) {
            for (; i + Vec.L <= count; i += Vec.L) {
                ShortVector h = ShortVector.fromMemorySegment(Vec.S, d, off + i * 2L, ByteOrder.LITTLE_ENDIAN);
                finiteHalfToFloat(h).intoArray(out, i);
            }
        }
        for (; i < count; i++) out[i] = Float.float16ToFloat(d.get(I16, off + i * 2L));
    }

    /** Row at {@code q} times the prepared row at p[po..] (blocks {@code width} apart); sc[so..] holds its scales. */
    abstract float dot(MemorySegment w, long q, float[] sc, int so, int[] p, int po, int nb);

    @Override
    final void decodeRows(PlanarMatrix m, int r, int rows, int k0, int ks, float[] wb) {
        int nb = m.n() / QK, qs = qsBytes();
        MemorySegment w = m.data();
        for (int i = 0; i < rows; i++) {
            for (int k = k0; k < k0 + ks; k += QK) {
                long blk = (long) (r + i) * nb + k / QK;
                decodeVec(w, m.quants() + blk * qs, Float.float16ToFloat(w.get(I16, m.scales() + blk * 2)), wb, i * ks + k - k0);
            }
        }
    }

    /** Weight rows whose scales matvec converts at once (a few KB, so they stay in L1). */
    private static final int ROWS = 8;

    @Override
    public final void matvec(PlanarMatrix m, int[] p, float[] out, int outOff, int r0, int r1) {
        int n = m.n(), nb = n / QK;
        float[] sc = SCRATCH.get().scales(ROWS * nb);
        long qr = quantRow(n);
        for (int t = r0; t < r1; t += ROWS) {
            int t1 = Math.min(r1, t + ROWS);
            scales(m, t, t1, sc);
            for (int r = t; r < t1; r++) out[outOff + r] = dot(m.data(), m.quants() + r * qr, sc, (r - t) * nb, p, 0, nb);
        }
    }

    /** The float {@link Gemm} over rows decoded a slice at a time, or, without it, matvec's dot over {@code p}. */
    @Override
    public final void gemm(PlanarMatrix m, float[] x, int[] p, int batch, float[] out, int outStride, int r0, int r1) {
        if (tiled(batch)) {
            Gemm.gemm(m, m.n(), x, batch, out, outStride, r0, r1);
            return;
        }
        int n = m.n(), nb = n / QK;
        float[] sc = SCRATCH.get().scales((r1 - r0) * nb);
        scales(m, r0, r1, sc);
        long qr = quantRow(n);
        for (int b = 0; b < batch; b++) {
            for (int r = r0; r < r1; r++) out[b * outStride + r] = dot(m.data(), m.quants() + r * qr, sc, (r - r0) * nb, p, b * nb * width(), nb);
        }
    }
}
