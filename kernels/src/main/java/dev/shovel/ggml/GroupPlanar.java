package dev.shovel.ggml;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
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

    /** Bytes of ggml's block, and where its quants start (its scale is at 0). */
    int srcBlock() { return qsBytes() + 2; }

    int srcQs() { return 2; }

    /** The 16-bit scale to store for ggml's block at {@code blk} (its fp16 d; MXFP4 converts its exponent). */
    short scaleBits(MemorySegment src, long blk) { return src.get(I16, blk); }

    @Override
    public final void pack(MemorySegment src, long rows, int n, MemorySegment dst, long r0, long r1) {
        int nb = n / QK, qs = qsBytes(), c = chunk(), bs = srcBlock(), q0 = srcQs();
        for (long r = r0; r < r1; r++) {
            for (int b = 0; b < nb; b++) {
                long blk = (r * nb + b) * bs, base = base(nb, r, b);
                if (c == 4) { // one int per chunk: MemorySegment.copy's checks cost more than 4 bytes' copy
                    for (int i = 0; i < qs / c; i++) dst.set(I32, chunk(base, r, i), src.get(I32, blk + q0 + (long) i * c));
                } else if (c == 2) {
                    for (int i = 0; i < qs / c; i++) dst.set(I16, chunk(base, r, i), src.get(I16, blk + q0 + (long) i * c));
                } else {
                    for (int i = 0; i < qs / c; i++) MemorySegment.copy(src, blk + q0 + (long) i * c, dst, chunk(base, r, i), c);
                }
                dst.set(I16, scale(base, r), scaleBits(src, blk));
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
}
