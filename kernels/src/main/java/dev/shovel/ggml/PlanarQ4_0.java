package dev.shovel.ggml;

import static jdk.incubator.vector.VectorOperators.ASHR;
import static jdk.incubator.vector.VectorOperators.I2F;
import static jdk.incubator.vector.VectorOperators.LSHL;
import static jdk.incubator.vector.VectorOperators.LSHR;
import static jdk.incubator.vector.VectorOperators.S2I;

import dev.shovel.gguf.GGMLType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Q4_0 in groups of {@link #G} rows, one row per vector lane. Per group and block: four chunks of G ints, int r of chunk
 * v holding bytes 4v..4v+3 of row r's ggml quants, then the G fp16 scales: 18 bytes a row, as ggml's. Byte j of a
 * block holds elements j (low nibble) and j + 16 (high).
 * <p>
 * Matvec works as llama.cpp's Q4_0 x Q8_0 dot: x is quantized per block to int8 with an fp16 scale, and the products
 * are integers. Each int lane is two 16-bit lanes; the four nibbles of each are multiplied by the int8 activations of
 * the elements they hold (a pair per int, broadcast), and a block's 16 products per lane, at most 15 * 127 each, fit a
 * short. Per row and block: d * dx * (sum q * xq - 8 sum xq). The GEMM decodes blocks into floats, rows in lanes.
 */
final class PlanarQ4_0 extends Planar {
    static final PlanarQ4_0 INSTANCE = new PlanarQ4_0();
    /** Rows per group: the float lane count. */
    static final int G = Vec.OK ? Vec.L : 16;
    /** Bytes per group and block. */
    static final int BLK = 18 * G;
    /** Prepared ints per block: 16 activation pairs, dx (float bits), -8 * sum of the int8 activations. */
    private static final int E = 18;
    /** Columns of the GEMM slice decoded at once (two groups' worth stay in L1). */
    private static final int KS = 128;
    private static final VectorSpecies<Short> SH = VectorSpecies.of(short.class, Vec.I.vectorShape());
    private static final ValueLayout.OfInt I32 = TypeOps.I32;
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    @Override public GGMLType type() { return GGMLType.Q4_0; }

    @Override int qsBytes() { return 16; }

    @Override int width() { return E; }

    private static long groups(long rows) { return (rows + G - 1) / G; }

    @Override public long bytes(long rows, int n) { return groups(rows) * (n / QK) * BLK; }

    @Override
    public PlanarMatrix matrix(MemorySegment dst, int rows, int n) { return new PlanarMatrix(this, dst, 0, 0, rows, n, 0); }

    @Override
    PlanarMatrix slice(PlanarMatrix m, int first, int count) {
        return new PlanarMatrix(this, m.data(), 0, 0, count, m.n(), m.first() + first);
    }

    /** Byte offset of block b of the group holding packed row s. */
    private static long base(int nb, long s, int b) { return (s / G * nb + b) * BLK; }

    /** Offset of quant bytes 4v..4v+3 of packed row s in its group's block at {@code base}. */
    private static long quad(long base, long s, int v) { return base + v * 4L * G + 4 * (s % G); }

    private static long scale(long base, long s) { return base + 16L * G + 2 * (s % G); }

    @Override
    public void pack(MemorySegment src, long rows, int n, MemorySegment dst, long r0, long r1) {
        int nb = n / QK;
        for (long r = r0; r < r1; r++) {
            for (int b = 0; b < nb; b++) {
                long blk = (r * nb + b) * 18, base = base(nb, r, b);
                for (int v = 0; v < 4; v++) dst.set(I32, quad(base, r, v), src.get(I32, blk + 2 + 4 * v));
                dst.set(I16, scale(base, r), src.get(I16, blk));
            }
        }
    }

    /** Scalar: block b of packed row s, as ggml's dequantize. */
    private static void decode(MemorySegment w, int nb, long s, int b, float[] out, int o) {
        long base = base(nb, s, b);
        float d = Float.float16ToFloat(w.get(I16, scale(base, s)));
        for (int v = 0; v < 4; v++) {
            int q = w.get(I32, quad(base, s, v));
            for (int j = 0; j < 4; j++) {
                int x = q >>> 8 * j & 0xff;
                out[o + 4 * v + j] = d * ((x & 15) - 8);
                out[o + 4 * v + j + 16] = d * ((x >> 4) - 8);
            }
        }
    }

    @Override
    void row(PlanarMatrix m, int r, float[] out, int outOff) {
        int nb = m.n() / QK;
        for (int b = 0; b < nb; b++) decode(m.data(), nb, (long) m.first() + r, b, out, outOff + b * QK);
    }

    @Override
    void decodeRows(PlanarMatrix m, int r, int rows, int k0, int ks, float[] wb) {
        int nb = m.n() / QK;
        for (int i = 0; i < rows; i++) {
            for (int k = k0; k < k0 + ks; k += QK) decode(m.data(), nb, (long) m.first() + r + i, k / QK, wb, i * ks + k - k0);
        }
    }

    /** Element (0..31) of nibble k (bits 4k..4k+3) in the low 16-bit lane of chunk v; the high lane's is this + 2. */
    static int element(int v, int k) { return 4 * v + (k >> 1) + 16 * (k & 1); }

    @Override
    void prepareBlock(float[] x, int i, int[] out, int o) {
        float amax = 0;
        for (int j = 0; j < QK; j++) amax = Math.max(amax, Math.abs(x[i + j]));
        float d = amax / 127, id = d != 0 ? 1 / d : 0;
        int sum = 0;
        for (int v = 0; v < 4; v++) {
            for (int k = 0; k < 4; k++) {
                int e = element(v, k), lo = Math.round(x[i + e] * id), hi = Math.round(x[i + e + 2] * id);
                out[o + 4 * v + k] = lo & 0xffff | hi << 16;
                sum += lo + hi;
            }
        }
        out[o + 16] = Float.floatToRawIntBits(Float.float16ToFloat(Float.floatToFloat16(d)));
        out[o + 17] = -8 * sum;
    }

    /** Scalar twin of the matvec kernel for packed row s against prepared x at p[po..]: the same sums and steps. */
    static float dot(MemorySegment w, int nb, long s, int[] p, int po) {
        float acc = 0;
        for (int b = 0; b < nb; b++) {
            long base = base(nb, s, b);
            int xo = po + b * E, sum = p[xo + 17];
            for (int v = 0; v < 4; v++) {
                int q = w.get(I32, quad(base, s, v));
                for (int k = 0; k < 4; k++) {
                    int pair = p[xo + 4 * v + k];
                    sum += (q >>> 4 * k & 15) * (short) pair + (q >>> 16 + 4 * k & 15) * (pair >> 16);
                }
            }
            float d = Float.float16ToFloat(w.get(I16, scale(base, s)));
            acc = Math.fma((float) sum * Float.intBitsToFloat(p[xo + 16]), d, acc);
        }
        return acc;
    }

    /**
     * The G rows of the group at {@code gb} against prepared x: out[o..o+G). Only the JDK's force-inlined vector calls
     * appear in the loop (past C2's node budget, helpers of ours would stay calls and box their vectors).
     */
    private static void group(MemorySegment w, long gb, int nb, int[] p, float[] out, int o) {
        FloatVector acc = FloatVector.zero(Vec.F);
        for (int b = 0; b < nb; b++) {
            long base = gb + (long) b * BLK;
            int xo = b * E;
            ShortVector s = ShortVector.zero(SH);
            for (int v = 0; v < 4; v++) {
                IntVector q = IntVector.fromMemorySegment(Vec.I, w, base + v * 4L * G, LE);
                int i = xo + 4 * v;
                s = s.add(q.and(0xf000f).reinterpretAsShorts().mul(IntVector.broadcast(Vec.I, p[i]).reinterpretAsShorts()));
                s = s.add(q.lanewise(LSHR, 4).and(0xf000f).reinterpretAsShorts().mul(IntVector.broadcast(Vec.I, p[i + 1]).reinterpretAsShorts()));
                s = s.add(q.lanewise(LSHR, 8).and(0xf000f).reinterpretAsShorts().mul(IntVector.broadcast(Vec.I, p[i + 2]).reinterpretAsShorts()));
                s = s.add(q.lanewise(LSHR, 12).and(0xf000f).reinterpretAsShorts().mul(IntVector.broadcast(Vec.I, p[i + 3]).reinterpretAsShorts()));
            }
            IntVector t = s.reinterpretAsInts();
            IntVector sum = t.lanewise(LSHL, 16).lanewise(ASHR, 16).add(t.lanewise(ASHR, 16)).add(p[xo + 17]);
            IntVector h = (IntVector) ShortVector.fromMemorySegment(Vec.S, w, base + 16L * G, LE).convertShape(S2I, Vec.I, 0);
            FloatVector d = h.lanewise(LSHL, 13).and(0x8fffe000).reinterpretAsFloats().mul(0x1p112f);
            acc = ((FloatVector) sum.convert(I2F, 0)).mul(Float.intBitsToFloat(p[xo + 16])).fma(d, acc);
        }
        acc.intoArray(out, o);
    }

    private static final ThreadLocal<float[]> TMP = ThreadLocal.withInitial(() -> new float[G]);

    @Override
    public void matvec(PlanarMatrix m, int[] p, float[] out, int outOff, int r0, int r1) {
        int nb = m.n() / QK;
        long s0 = (long) m.first() + r0, s1 = (long) m.first() + r1;
        float[] tmp = TMP.get();
        for (long g = s0 / G; g * G < s1; g++) {
            long gs = g * G;
            if (!Vec.OK) {
                for (long s = Math.max(gs, s0); s < Math.min(gs + G, s1); s++) out[(int) (outOff + s - m.first())] = dot(m.data(), nb, s, p, 0);
                continue;
            }
            boolean whole = gs >= s0 && gs + G <= s1; // a group cut by the range is computed whole, then copied
            group(m.data(), g * nb * BLK, nb, p, whole ? out : tmp, whole ? (int) (outOff + gs - m.first()) : 0);
            if (!whole) {
                for (long s = Math.max(gs, s0); s < Math.min(gs + G, s1); s++) out[(int) (outOff + s - m.first())] = tmp[(int) (s - gs)];
            }
        }
    }

    /** Block b (at {@code base}) of a group decoded as ggml's dequantize: element e's G rows at buf[o + e * G..]. */
    private static void decodeBlock(MemorySegment w, long base, float[] buf, int o) {
        IntVector h = (IntVector) ShortVector.fromMemorySegment(Vec.S, w, base + 16L * G, LE).convertShape(S2I, Vec.I, 0);
        FloatVector d = h.lanewise(LSHL, 13).and(0x8fffe000).reinterpretAsFloats().mul(0x1p112f);
        for (int v = 0; v < 4; v++) {
            IntVector q = IntVector.fromMemorySegment(Vec.I, w, base + v * 4L * G, LE);
            for (int k = 0; k < 8; k++) {
                int e = element(v, k & 3) + 2 * (k >> 2);
                ((FloatVector) q.lanewise(LSHR, 4 * k).and(15).sub(8).convert(I2F, 0)).mul(d).intoArray(buf, o + e * G);
            }
        }
    }

    /**
     * Two groups times C batch columns (tile2x8, tile2x4): park[pa + c * G..] and park[pb + c * G..] += the rows of
     * groups A (buf[0..]) and B (buf[KS * G..]) times x[xo + c * n..], k in order.
     */
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

    /** One group (rows at buf[bo..]) times one batch column, in the same order as the two-group tiles. */
    private static void tile1(float[] buf, int bo, int ks, float[] x, int xo, float[] park, int po) {
        FloatVector a = FloatVector.fromArray(Vec.F, park, po);
        for (int k = 0; k < ks; k++) a = FloatVector.fromArray(Vec.F, buf, bo + k * G).fma(FloatVector.broadcast(Vec.F, x[xo + k]), a);
        a.intoArray(park, po);
    }

    /** Per-thread GEMM buffers: a decoded slice and the accumulators of every batch column. */
    private static final class Scratch {
        final float[] buf = new float[2 * KS * G];
        float[] park = new float[0];

        float[] park(int n) { return park.length >= n ? park : (park = new float[n]); }
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    @Override
    public void gemm(PlanarMatrix m, float[] x, int[] p, int batch, float[] out, int outStride, int r0, int r1) {
        int n = m.n(), nb = n / QK, first = m.first();
        long s0 = (long) first + r0, s1 = (long) first + r1;
        if (!tiled(batch)) {
            for (int c = 0; c < batch; c++) {
                for (long s = s0; s < s1; s++) out[(int) (c * outStride + s - first)] = dot(m.data(), nb, s, p, c * nb * E);
            }
            return;
        }
        Scratch sc = SCRATCH.get();
        float[] buf = sc.buf, park = sc.park(2 * batch * G);
        long g1 = (s1 + G - 1) / G;
        for (long g = s0 / G; g < g1; g += 2) {
            int groups = (int) Math.min(2, g1 - g); // pairs share the activation loads; a row's result is the same alone
            java.util.Arrays.fill(park, 0, groups * batch * G, 0f);
            for (int k0 = 0; k0 < n; k0 += KS) {
                int ks = Math.min(KS, n - k0);
                for (int j = 0; j < groups; j++) {
                    for (int b = k0 / QK; b < (k0 + ks) / QK; b++) decodeBlock(m.data(), ((g + j) * nb + b) * BLK, buf, (j * KS + b * QK - k0) * G);
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
}
