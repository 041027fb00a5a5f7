package dev.shovel.ggml;

import java.lang.foreign.MemorySegment;

/**
 * A 256-element K-quant (or IQ4_XS) repacked in groups of {@link GroupPlanar#G} rows ({@link PlanarQ4_K}, {@link PlanarIQ4_XS}):
 * the layout plumbing they share. All multiply Q4_0's prepared int8 activations, 32 elements a block.
 */
abstract class KGroupPlanar extends Planar {
    static final int G = GroupPlanar.G, E = PlanarQ4_0.E, QK_K = 256;
    private static final ThreadLocal<float[]> QUAD = ThreadLocal.withInitial(() -> new float[4 * G]);

    /** Bytes per group and 256-block. */
    abstract int groupBlockBytes();

    /** Q4_0's prepared activations (Q2_K adds the halves' sums). */
    @Override public int width() { return E; }

    @Override public final int rowUnit() { return 2 * G; }

    /**
     * The group at {@code g} against 4 columns prepared at p[po + c * cs..] (c = 0..3): out[o + c * G..), each column
     * with the same integer sums and float steps as {@link #group2}, so a batch row's result is matvec's bit for bit.
     */
    abstract void group4c(MemorySegment w, long g, int nb, int[] p, int po, int cs, float[] out, int o);

    @Override void prepareBlock(float[] x, int i, int[] out, int o) { PlanarQ4_0.INSTANCE.prepareBlock(x, i, out, o); }

    @Override public final long bytes(long rows, int n) { return (rows + G - 1) / G * (n / QK_K) * groupBlockBytes(); }

    @Override public final PlanarMatrix matrix(MemorySegment dst, int rows, int n) { return new PlanarMatrix(this, dst, rows, n, 0); }

    @Override
    final PlanarMatrix slice(PlanarMatrix m, int first, int count) { return new PlanarMatrix(this, m.data(), count, m.n(), m.first() + first); }

    /** Offset of block b of the group holding packed row s. */
    final long base(int nb, long s, int b) { return (s / G * nb + b) * groupBlockBytes(); }

    /** Scalar twin of the kernel: packed row s against x prepared at p[po..], the same sums and float steps. */
    abstract float dot(MemorySegment w, int nb, long s, int[] p, int po);

    /** Groups A (at {@code ga}) and B (at {@code gb}, may be A) against x prepared at p[po..]: out[o..o+G), out[o+G..o+2G). */
    abstract void group2(MemorySegment w, long ga, long gb, int nb, int[] p, int po, float[] out, int o);

    @Override
    public final void matvec(PlanarMatrix m, int[] p, float[] out, int outOff, int r0, int r1) {
        columns(m, p, 1, out, 0, outOff, r0, r1);
    }

    @Override
    public final void gemm(PlanarMatrix m, float[] x, int[] p, int batch, float[] out, int outStride, int r0, int r1) {
        if (Vec.OK && batch >= 4) quads(m, p, batch, out, outStride, r0, r1);
        else columns(m, p, batch, out, outStride, 0, r0, r1);
    }

    /**
     * Columns through {@link #group4c}, 4 at a time and group by group (each group's weights read once for 4 columns),
     * the rest through {@link #group2}: out[c * stride + row]. Apart from matvec's loop, which stays small.
     */
    private void quads(PlanarMatrix m, int[] p, int batch, float[] out, int stride, int r0, int r1) {
        int nb = m.n() / QK_K, first = m.first(), cs = m.n() / 32 * width(), quads = batch & ~3;
        long s0 = (long) first + r0, s1 = (long) first + r1, gbytes = (long) nb * groupBlockBytes();
        float[] four = QUAD.get(), tmp = GroupPlanar.TMP.get();
        for (long g = s0 / G; g < (s1 + G - 1) / G; g++) {
            for (int c = 0; c < quads; c += 4) {
                group4c(m.data(), g * gbytes, nb, p, c * cs, cs, four, 0);
                for (int k = 0; k < 4; k++) GroupPlanar.put(four, k * G, g, s0, s1, first, out, (c + k) * stride);
            }
            for (int c = quads; c < batch; c++) {
                group2(m.data(), g * gbytes, g * gbytes, nb, p, c * cs, tmp, 0);
                GroupPlanar.put(tmp, 0, g, s0, s1, first, out, c * stride);
            }
        }
    }

    /** Every batch column through the kernel, groups i and i + half of the range in pairs: out[c * stride + oo + row]. */
    private void columns(PlanarMatrix m, int[] p, int batch, float[] out, int stride, int oo, int r0, int r1) {
        int nb = m.n() / QK_K, first = m.first(), cs = m.n() / 32 * width();
        long s0 = (long) first + r0, s1 = (long) first + r1, gbytes = (long) nb * groupBlockBytes();
        if (!Vec.OK) {
            for (int c = 0; c < batch; c++) {
                for (long s = s0; s < s1; s++) out[(int) (c * stride + oo + s - first)] = dot(m.data(), nb, s, p, c * cs);
            }
            return;
        }
        float[] tmp = GroupPlanar.TMP.get();
        long g0 = s0 / G, g1 = (s1 + G - 1) / G, half = (g1 - g0 + 1) / 2;
        for (long ga = g0; ga < g0 + half; ga++) {
            long gb = ga + half < g1 ? ga + half : ga;
            for (int c = 0; c < batch; c++) {
                group2(m.data(), ga * gbytes, gb * gbytes, nb, p, c * cs, tmp, 0);
                GroupPlanar.put(tmp, 0, ga, s0, s1, first, out, c * stride + oo);
                if (gb != ga) GroupPlanar.put(tmp, G, gb, s0, s1, first, out, c * stride + oo);
            }
        }
    }
}
