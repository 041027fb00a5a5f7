package dev.shovel.ggml;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * A 32-element block type repacked in groups of {@link #G} rows, one row per vector lane. Per group and block: the
 * quant bytes in chunks of {@link #chunk} bytes per row (chunk i holds bytes i*chunk.. of every row, row after row),
 * then the G fp16 scales. The same bytes as ggml's layout.
 * <p>
 * Matvec works as llama.cpp's dot with Q8_0 activations: x is quantized per block to int8 with an fp16 scale
 * ({@link #prepare}, once per matmul), and the products are 16-bit integers; a group's G results come out of one
 * vector. The GEMM runs each type's register tiles ({@link #tiles}).
 */
abstract class GroupPlanar extends Planar {
    /** Rows per group: the float lane count. */
    static final int G = Vec.OK ? Vec.L : 16;
    /** Shorts in an int vector: two per row. */
    static final VectorSpecies<Short> SH = VectorSpecies.of(short.class, Vec.I.vectorShape());
    /** Columns of the GEMM slice decoded at once (two groups' worth stay in L1). */
    private static final int KS = 128;
    static final ValueLayout.OfInt I32 = TypeOps.I32;

    /** Bytes of one row in a chunk. */
    abstract int chunk();

    @Override public final int rowUnit() { return 2 * G; }

    /** Bytes per group and block. */
    final int blockBytes() { return (qsBytes() + 2) * G; }

    private static long groups(long rows) { return (rows + G - 1) / G; }

    @Override public final long bytes(long rows, int n) { return groups(rows) * (n / QK) * blockBytes(); }

    @Override
    public final PlanarMatrix matrix(MemorySegment dst, int rows, int n) { return new PlanarMatrix(this, dst, rows, n, 0); }

    @Override
    final PlanarMatrix slice(PlanarMatrix m, int first, int count) {
        return new PlanarMatrix(this, m.data(), count, m.n(), m.first() + first);
    }

    /** Byte offset of block b of the group holding packed row s. */
    final long base(int nb, long s, int b) { return (s / G * nb + b) * blockBytes(); }

    /** Offset of chunk i of packed row s in its group's block at {@code base}. */
    final long chunk(long base, long s, int i) { return base + (long) i * chunk() * G + chunk() * (s % G); }

    final long scale(long base, long s) { return base + (long) qsBytes() * G + 2 * (s % G); }

    @Override
    public final void pack(MemorySegment src, long rows, int n, MemorySegment dst, long r0, long r1) {
        int nb = n / QK, qs = qsBytes(), c = chunk();
        for (long r = r0; r < r1; r++) {
            for (int b = 0; b < nb; b++) {
                long blk = (r * nb + b) * (qs + 2), base = base(nb, r, b);
                for (int i = 0; i < qs / c; i++) MemorySegment.copy(src, blk + 2 + (long) i * c, dst, chunk(base, r, i), c);
                dst.set(I16, scale(base, r), src.get(I16, blk));
            }
        }
    }

    /** Scalar: block b of packed row s, as ggml's dequantize, into out[o..o+32). */
    abstract void decode(MemorySegment w, int nb, long s, int b, float[] out, int o);

    @Override
    final void row(PlanarMatrix m, int r, float[] out, int outOff) {
        int nb = m.n() / QK;
        for (int b = 0; b < nb; b++) decode(m.data(), nb, (long) m.first() + r, b, out, outOff + b * QK);
    }

    /** Per-thread int8 activations of the block being prepared. */
    static final ThreadLocal<int[]> QS = ThreadLocal.withInitial(() -> new int[QK]);

    /**
     * The int8 activations of a block and its fp16-rounded scale: q[0..32) = x / dx rounded half to even (as
     * llama.cpp's SIMD quantize_row_q8_0), returns dx.
     */
    static float quantize(float[] x, int i, int[] q) {
        float amax = 0;
        if (Vec.OK) {
            FloatVector m = FloatVector.zero(Vec.F);
            for (int j = 0; j < QK; j += Vec.L) m = m.max(FloatVector.fromArray(Vec.F, x, i + j).abs());
            amax = m.reduceLanes(VectorOperators.MAX);
        } else {
            for (int j = 0; j < QK; j++) amax = Math.max(amax, Math.abs(x[i + j]));
        }
        float d = amax / 127, id = d != 0 ? 1 / d : 0;
        if (Vec.OK) { // adding and taking away 1.5 * 2^23 rounds to an integer, half to even
            for (int j = 0; j < QK; j += Vec.L) {
                FloatVector v = FloatVector.fromArray(Vec.F, x, i + j).mul(id).add(0x1.8p23f).sub(0x1.8p23f);
                ((IntVector) v.convert(VectorOperators.F2I, 0)).intoArray(q, j);
            }
        } else {
            for (int j = 0; j < QK; j++) q[j] = (int) Math.rint(x[i + j] * id);
        }
        return Float.float16ToFloat(Float.floatToFloat16(d));
    }

    /** Scalar twin of the matvec kernel for packed row s against prepared x at p[po..]: the same sums and steps. */
    abstract float dot(MemorySegment w, int nb, long s, int[] p, int po);

    /**
     * Groups A (at {@code ga}) and B (at {@code gb}, may be A) against x prepared at p[po..], in lockstep: two load
     * streams keep more of the memory bus busy than one. out[o..o+G) and out[o+G..o+2G).
     */
    abstract void group2(MemorySegment w, long ga, long gb, int nb, int[] p, int po, float[] out, int o);

    /** Per-thread results of a group pair, for the rows a matvec range cuts. */
    static final ThreadLocal<float[]> TMP = ThreadLocal.withInitial(() -> new float[2 * G]);

    @Override
    public final void matvec(PlanarMatrix m, int[] p, float[] out, int outOff, int r0, int r1) {
        int nb = m.n() / QK, first = m.first();
        long s0 = (long) first + r0, s1 = (long) first + r1;
        if (!Vec.OK) {
            for (long s = s0; s < s1; s++) out[(int) (outOff + s - first)] = dot(m.data(), nb, s, p, 0);
            return;
        }
        float[] tmp = TMP.get();
        long g0 = s0 / G, g1 = (s1 + G - 1) / G, half = (g1 - g0 + 1) / 2, gbytes = (long) nb * blockBytes();
        for (long ga = g0; ga < g0 + half; ga++) { // group i with group i + half
            long gb = ga + half < g1 ? ga + half : ga;
            group2(m.data(), ga * gbytes, gb * gbytes, nb, p, 0, tmp, 0);
            put(tmp, 0, ga, s0, s1, first, out, outOff);
            if (gb != ga) put(tmp, G, gb, s0, s1, first, out, outOff);
        }
    }

    /** The rows of group g that lie in [s0, s1), from res[ro..], to out[oo + row - first]. */
    static void put(float[] res, int ro, long g, long s0, long s1, int first, float[] out, int oo) {
        for (long s = Math.max(g * G, s0); s < Math.min(g * G + G, s1); s++) out[(int) (oo + s - first)] = res[(int) (ro + s - g * G)];
    }

    /** Per-thread GEMM buffers: a decoded slice of two groups and the accumulators of every batch column. */
    private static final class Scratch {
        final float[] buf = new float[2 * KS * G];
        float[] park = new float[0];

        float[] park(int n) { return park.length >= n ? park : (park = new float[n]); }
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    @Override
    public final void gemm(PlanarMatrix m, float[] x, int[] p, int batch, float[] out, int outStride, int r0, int r1) {
        int n = m.n(), nb = n / QK, first = m.first();
        long s0 = (long) first + r0, s1 = (long) first + r1;
        if (Vec.OK && batch == 1) {
            matvec(m, p, out, 0, r0, r1);
            return;
        }
        if (!Vec.OK) { // the scalar twin, batch row by batch row
            for (int c = 0; c < batch; c++) {
                for (long s = s0; s < s1; s++) out[(int) (c * outStride + s - first)] = dot(m.data(), nb, s, p, c * nb * width());
            }
            return;
        }
        tiles(m, x, p, batch, out, outStride, r0, r1);
    }

    /** The vector GEMM of a batch of two or more rows: the type's own register tiles. */
    abstract void tiles(PlanarMatrix m, float[] x, int[] p, int batch, float[] out, int outStride, int r0, int r1);

    /**
     * The float GEMM of a layout whose blocks decode with rows in lanes: per pair of groups and slice of KS columns,
     * the blocks decoded to buf, then register tiles over the batch columns.
     */
    static void floatGemm(FloatBlocks d, PlanarMatrix m, float[] x, int batch, float[] out, int outStride, int r0, int r1) {
        int n = m.n(), nb = n / QK, first = m.first();
        long s0 = (long) first + r0, s1 = (long) first + r1;
        Scratch sc = SCRATCH.get();
        float[] buf = sc.buf, park = sc.park(2 * batch * G);
        long g1 = (s1 + G - 1) / G;
        for (long g = s0 / G; g < g1; g += 2) {
            int groups = (int) Math.min(2, g1 - g); // pairs share the activation loads; a row's result is the same alone
            Arrays.fill(park, 0, groups * batch * G, 0f);
            for (int k0 = 0; k0 < n; k0 += KS) {
                int ks = Math.min(KS, n - k0);
                for (int j = 0; j < groups; j++) {
                    for (int b = k0 / QK; b < (k0 + ks) / QK; b++) d.decodeBlock(m.data(), g + j, nb, b, buf, (j * KS + b * QK - k0) * G);
                }
                int c = 0;
                if (groups == 2) {
                    for (; c + 8 <= batch; c += 8) tile2x8(buf, ks, x, c * n + k0, n, park, c * G, (batch + c) * G);
                    for (; c + 4 <= batch; c += 4) tile2x4(buf, ks, x, c * n + k0, n, park, c * G, (batch + c) * G);
                }
                for (; c < batch; c++) {
                    for (int j = 0; j < groups; j++) tile1(buf, j * KS * G, ks, x, c * n + k0, park, (j * batch + c) * G);
                }
            }
            for (int j = 0; j < groups; j++) {
                long gs = (g + j) * G;
                for (int c = 0; c < batch; c++) {
                    for (long s = Math.max(gs, s0); s < Math.min(gs + G, s1); s++) {
                        out[(int) (c * outStride + s - first)] = park[(int) ((j * batch + c) * G + s - gs)];
                    }
                }
            }
        }
    }

    // The register tiles: park[pa + c * G..] and park[pb + c * G..] += the rows of groups A (buf[0..]) and B
    // (buf[KS * G..]) times x[xo + c * n..], for C batch columns, k in order (so a column's result is the same in any
    // tile).

    private static void tile2x8(float[] buf, int ks, float[] x, int xo, int n, float[] park, int pa, int pb) {
        FloatVector a0 = FloatVector.fromArray(Vec.F, park, pa + 0 * G), b0 = FloatVector.fromArray(Vec.F, park, pb + 0 * G);
        FloatVector a1 = FloatVector.fromArray(Vec.F, park, pa + 1 * G), b1 = FloatVector.fromArray(Vec.F, park, pb + 1 * G);
        FloatVector a2 = FloatVector.fromArray(Vec.F, park, pa + 2 * G), b2 = FloatVector.fromArray(Vec.F, park, pb + 2 * G);
        FloatVector a3 = FloatVector.fromArray(Vec.F, park, pa + 3 * G), b3 = FloatVector.fromArray(Vec.F, park, pb + 3 * G);
        FloatVector a4 = FloatVector.fromArray(Vec.F, park, pa + 4 * G), b4 = FloatVector.fromArray(Vec.F, park, pb + 4 * G);
        FloatVector a5 = FloatVector.fromArray(Vec.F, park, pa + 5 * G), b5 = FloatVector.fromArray(Vec.F, park, pb + 5 * G);
        FloatVector a6 = FloatVector.fromArray(Vec.F, park, pa + 6 * G), b6 = FloatVector.fromArray(Vec.F, park, pb + 6 * G);
        FloatVector a7 = FloatVector.fromArray(Vec.F, park, pa + 7 * G), b7 = FloatVector.fromArray(Vec.F, park, pb + 7 * G);
        for (int k = 0; k < ks; k++) {
            FloatVector wa = FloatVector.fromArray(Vec.F, buf, k * G), wb = FloatVector.fromArray(Vec.F, buf, (KS + k) * G);
            int i = xo + k;
            FloatVector x0 = FloatVector.broadcast(Vec.F, x[i + 0 * n]);
            a0 = wa.fma(x0, a0);
            b0 = wb.fma(x0, b0);
            FloatVector x1 = FloatVector.broadcast(Vec.F, x[i + 1 * n]);
            a1 = wa.fma(x1, a1);
            b1 = wb.fma(x1, b1);
            FloatVector x2 = FloatVector.broadcast(Vec.F, x[i + 2 * n]);
            a2 = wa.fma(x2, a2);
            b2 = wb.fma(x2, b2);
            FloatVector x3 = FloatVector.broadcast(Vec.F, x[i + 3 * n]);
            a3 = wa.fma(x3, a3);
            b3 = wb.fma(x3, b3);
            FloatVector x4 = FloatVector.broadcast(Vec.F, x[i + 4 * n]);
            a4 = wa.fma(x4, a4);
            b4 = wb.fma(x4, b4);
            FloatVector x5 = FloatVector.broadcast(Vec.F, x[i + 5 * n]);
            a5 = wa.fma(x5, a5);
            b5 = wb.fma(x5, b5);
            FloatVector x6 = FloatVector.broadcast(Vec.F, x[i + 6 * n]);
            a6 = wa.fma(x6, a6);
            b6 = wb.fma(x6, b6);
            FloatVector x7 = FloatVector.broadcast(Vec.F, x[i + 7 * n]);
            a7 = wa.fma(x7, a7);
            b7 = wb.fma(x7, b7);
        }
        a0.intoArray(park, pa + 0 * G);
        b0.intoArray(park, pb + 0 * G);
        a1.intoArray(park, pa + 1 * G);
        b1.intoArray(park, pb + 1 * G);
        a2.intoArray(park, pa + 2 * G);
        b2.intoArray(park, pb + 2 * G);
        a3.intoArray(park, pa + 3 * G);
        b3.intoArray(park, pb + 3 * G);
        a4.intoArray(park, pa + 4 * G);
        b4.intoArray(park, pb + 4 * G);
        a5.intoArray(park, pa + 5 * G);
        b5.intoArray(park, pb + 5 * G);
        a6.intoArray(park, pa + 6 * G);
        b6.intoArray(park, pb + 6 * G);
        a7.intoArray(park, pa + 7 * G);
        b7.intoArray(park, pb + 7 * G);
    }

    private static void tile2x4(float[] buf, int ks, float[] x, int xo, int n, float[] park, int pa, int pb) {
        FloatVector a0 = FloatVector.fromArray(Vec.F, park, pa + 0 * G), b0 = FloatVector.fromArray(Vec.F, park, pb + 0 * G);
        FloatVector a1 = FloatVector.fromArray(Vec.F, park, pa + 1 * G), b1 = FloatVector.fromArray(Vec.F, park, pb + 1 * G);
        FloatVector a2 = FloatVector.fromArray(Vec.F, park, pa + 2 * G), b2 = FloatVector.fromArray(Vec.F, park, pb + 2 * G);
        FloatVector a3 = FloatVector.fromArray(Vec.F, park, pa + 3 * G), b3 = FloatVector.fromArray(Vec.F, park, pb + 3 * G);
        for (int k = 0; k < ks; k++) {
            FloatVector wa = FloatVector.fromArray(Vec.F, buf, k * G), wb = FloatVector.fromArray(Vec.F, buf, (KS + k) * G);
            int i = xo + k;
            FloatVector x0 = FloatVector.broadcast(Vec.F, x[i + 0 * n]);
            a0 = wa.fma(x0, a0);
            b0 = wb.fma(x0, b0);
            FloatVector x1 = FloatVector.broadcast(Vec.F, x[i + 1 * n]);
            a1 = wa.fma(x1, a1);
            b1 = wb.fma(x1, b1);
            FloatVector x2 = FloatVector.broadcast(Vec.F, x[i + 2 * n]);
            a2 = wa.fma(x2, a2);
            b2 = wb.fma(x2, b2);
            FloatVector x3 = FloatVector.broadcast(Vec.F, x[i + 3 * n]);
            a3 = wa.fma(x3, a3);
            b3 = wb.fma(x3, b3);
        }
        a0.intoArray(park, pa + 0 * G);
        b0.intoArray(park, pb + 0 * G);
        a1.intoArray(park, pa + 1 * G);
        b1.intoArray(park, pb + 1 * G);
        a2.intoArray(park, pa + 2 * G);
        b2.intoArray(park, pb + 2 * G);
        a3.intoArray(park, pa + 3 * G);
        b3.intoArray(park, pb + 3 * G);
    }

    /** One group (rows at buf[bo..]) times one batch column. */
    private static void tile1(float[] buf, int bo, int ks, float[] x, int xo, float[] park, int po) {
        FloatVector a = FloatVector.fromArray(Vec.F, park, po);
        for (int k = 0; k < ks; k++) a = FloatVector.fromArray(Vec.F, buf, bo + k * G).fma(FloatVector.broadcast(Vec.F, x[xo + k]), a);
        a.intoArray(park, po);
    }
}
