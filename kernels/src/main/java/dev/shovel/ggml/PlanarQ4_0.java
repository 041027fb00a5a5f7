package dev.shovel.ggml;

import static jdk.incubator.vector.VectorOperators.ASHR;
import static jdk.incubator.vector.VectorOperators.I2F;
import static jdk.incubator.vector.VectorOperators.LSHL;
import static jdk.incubator.vector.VectorOperators.LSHR;
import static jdk.incubator.vector.VectorOperators.S2I;

import dev.shovel.gguf.GGMLType;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;

/**
 * Grouped Q4_0: chunks of 4 bytes, so int lane r of chunk v holds bytes 4v..4v+3 of row r. Byte j of a block holds
 * elements j (low nibble) and j + 16 (high). Each int lane is two 16-bit lanes; their four nibbles are multiplied by
 * the int8 activations of the elements they hold (a broadcast pair per nibble position), and a block's 16 products
 * per lane, at most 15 * 127 each, fit a short. Per row and block: d * dx * (sum q * xq - 8 sum xq).
 */
final class PlanarQ4_0 extends GroupPlanar {
    static final PlanarQ4_0 INSTANCE = new PlanarQ4_0();
    /** Prepared ints per block: 16 activation pairs, dx (float bits), -8 * sum of the int8 activations. */
    static final int E = 18;

    @Override public GGMLType type() { return GGMLType.Q4_0; }

    @Override int qsBytes() { return 16; }

    @Override int chunk() { return 4; }

    @Override public int width() { return E; }


    /** Up to this many columns (a decode step of several sequences), the GEMM runs {@link #group4c}, in registers. */
    static final int FEW = 8;

    @Override
    void tiles(PlanarMatrix m, float[] x, int[] p, int batch, float[] out, int outStride, int r0, int r1) {
        if (batch > FEW) {
            PlanarQ4_0Gemm.gemm(this, m, p, batch, out, outStride, r0, r1);
            return;
        }
        int nb = m.n() / QK, first = m.first(), cs = nb * E, quads = batch & ~3;
        long s0 = (long) first + r0, s1 = (long) first + r1, gbytes = (long) nb * 18 * G;
        float[] tmp = QUAD.get();
        long g1 = (s1 + G - 1) / G;
        for (long g = s0 / G; g < g1; g += 2) {
            long gb = Math.min(g + 1, g1 - 1);
            for (int c = 0; c < quads; c += 4) {
                for (long h = g; h <= gb; h++) {
                    group4c(m.data(), h * gbytes, nb, p, c * cs, cs, tmp, 0);
                    for (int k = 0; k < 4; k++) put(tmp, k * G, h, s0, s1, first, out, (c + k) * outStride);
                }
            }
            for (int c = quads; c < batch; c++) { // the rest through matvec's kernel, two groups at a time
                group2(m.data(), g * gbytes, gb * gbytes, nb, p, c * cs, tmp, 0);
                put(tmp, 0, g, s0, s1, first, out, c * outStride);
                if (gb != g) put(tmp, G, gb, s0, s1, first, out, c * outStride);
            }
        }
    }

    private static final ThreadLocal<float[]> QUAD = ThreadLocal.withInitial(() -> new float[4 * G]);

    /**
     * The group at {@code g} against 4 columns prepared at p[po + c * cs..]: each chunk's nibbles are loaded and
     * extracted once for the 4 columns; per column the integer sums and float steps are {@link #group2}'s.
     */
    void group4c(MemorySegment w, long g, int nb, int[] p, int po, int cs, float[] out, int o) {
        FloatVector acc0 = FloatVector.zero(Vec.F), acc1 = acc0, acc2 = acc0, acc3 = acc0;
        for (int b = 0; b < nb; b++) {
            long base = g + (long) b * (18 * G);
            int x0 = po + b * E, x1 = x0 + cs, x2 = x1 + cs, x3 = x2 + cs;
            ShortVector s0 = ShortVector.zero(SH), s1 = s0, s2 = s0, s3 = s0; // 16 products of at most 15 * 127: a short holds them
            for (int v = 0; v < 4; v++) { // a loop: written out it is past C1's registers
                IntVector q = IntVector.fromMemorySegment(Vec.I, w, base + 4L * v * G, ByteOrder.LITTLE_ENDIAN);
                int k = 4 * v;
                ShortVector n = q.and(0xf000f).reinterpretAsShorts();
                s0 = s0.add(n.mul(IntVector.broadcast(Vec.I, p[x0 + k]).reinterpretAsShorts()));
                s1 = s1.add(n.mul(IntVector.broadcast(Vec.I, p[x1 + k]).reinterpretAsShorts()));
                s2 = s2.add(n.mul(IntVector.broadcast(Vec.I, p[x2 + k]).reinterpretAsShorts()));
                s3 = s3.add(n.mul(IntVector.broadcast(Vec.I, p[x3 + k]).reinterpretAsShorts()));
                n = q.lanewise(LSHR, 4).and(0xf000f).reinterpretAsShorts();
                s0 = s0.add(n.mul(IntVector.broadcast(Vec.I, p[x0 + k + 1]).reinterpretAsShorts()));
                s1 = s1.add(n.mul(IntVector.broadcast(Vec.I, p[x1 + k + 1]).reinterpretAsShorts()));
                s2 = s2.add(n.mul(IntVector.broadcast(Vec.I, p[x2 + k + 1]).reinterpretAsShorts()));
                s3 = s3.add(n.mul(IntVector.broadcast(Vec.I, p[x3 + k + 1]).reinterpretAsShorts()));
                n = q.lanewise(LSHR, 8).and(0xf000f).reinterpretAsShorts();
                s0 = s0.add(n.mul(IntVector.broadcast(Vec.I, p[x0 + k + 2]).reinterpretAsShorts()));
                s1 = s1.add(n.mul(IntVector.broadcast(Vec.I, p[x1 + k + 2]).reinterpretAsShorts()));
                s2 = s2.add(n.mul(IntVector.broadcast(Vec.I, p[x2 + k + 2]).reinterpretAsShorts()));
                s3 = s3.add(n.mul(IntVector.broadcast(Vec.I, p[x3 + k + 2]).reinterpretAsShorts()));
                n = q.lanewise(LSHR, 12).and(0xf000f).reinterpretAsShorts();
                s0 = s0.add(n.mul(IntVector.broadcast(Vec.I, p[x0 + k + 3]).reinterpretAsShorts()));
                s1 = s1.add(n.mul(IntVector.broadcast(Vec.I, p[x1 + k + 3]).reinterpretAsShorts()));
                s2 = s2.add(n.mul(IntVector.broadcast(Vec.I, p[x2 + k + 3]).reinterpretAsShorts()));
                s3 = s3.add(n.mul(IntVector.broadcast(Vec.I, p[x3 + k + 3]).reinterpretAsShorts()));
            }
            IntVector h = (IntVector) ShortVector.fromMemorySegment(Vec.S, w, base + 16L * G, ByteOrder.LITTLE_ENDIAN).convertShape(S2I, Vec.I, 0);
            FloatVector d = h.lanewise(LSHL, 13).and(0x8fffe000).reinterpretAsFloats().mul(0x1p112f); // Vec.finiteHalf
            IntVector u0 = s0.reinterpretAsInts(), u1 = s1.reinterpretAsInts(), u2 = s2.reinterpretAsInts(), u3 = s3.reinterpretAsInts();
            IntVector sum0 = u0.lanewise(LSHL, 16).lanewise(ASHR, 16).add(u0.lanewise(ASHR, 16)).add(p[x0 + 17]);
            acc0 = ((FloatVector) sum0.convert(I2F, 0)).mul(Float.intBitsToFloat(p[x0 + 16])).fma(d, acc0);
            IntVector sum1 = u1.lanewise(LSHL, 16).lanewise(ASHR, 16).add(u1.lanewise(ASHR, 16)).add(p[x1 + 17]);
            acc1 = ((FloatVector) sum1.convert(I2F, 0)).mul(Float.intBitsToFloat(p[x1 + 16])).fma(d, acc1);
            IntVector sum2 = u2.lanewise(LSHL, 16).lanewise(ASHR, 16).add(u2.lanewise(ASHR, 16)).add(p[x2 + 17]);
            acc2 = ((FloatVector) sum2.convert(I2F, 0)).mul(Float.intBitsToFloat(p[x2 + 16])).fma(d, acc2);
            IntVector sum3 = u3.lanewise(LSHL, 16).lanewise(ASHR, 16).add(u3.lanewise(ASHR, 16)).add(p[x3 + 17]);
            acc3 = ((FloatVector) sum3.convert(I2F, 0)).mul(Float.intBitsToFloat(p[x3 + 16])).fma(d, acc3);
        }
        acc0.intoArray(out, o + 0 * G);
        acc1.intoArray(out, o + 1 * G);
        acc2.intoArray(out, o + 2 * G);
        acc3.intoArray(out, o + 3 * G);
    }

    @Override
    void decode(MemorySegment w, int nb, long s, int b, float[] out, int o) {
        long base = base(nb, s, b);
        float d = Float.float16ToFloat(w.get(I16, scale(base, s)));
        for (int v = 0; v < 4; v++) {
            int q = w.get(I32, chunk(base, s, v));
            for (int j = 0; j < 4; j++) {
                int x = q >>> 8 * j & 0xff;
                out[o + 4 * v + j] = d * ((x & 15) - 8);
                out[o + 4 * v + j + 16] = d * ((x >> 4) - 8);
            }
        }
    }

    /** Element (0..31) of nibble k (bits 4k..4k+3) in the low 16-bit lane of chunk v; the high lane's is this + 2. */
    static int element(int v, int k) { return 4 * v + (k >> 1) + 16 * (k & 1); }

    @Override
    void prepareBlock(float[] x, int i, int[] out, int o) {
        int[] q = QS.get();
        float d = quantize(x, i, q);
        int sum = 0;
        for (int v = 0; v < 4; v++) {
            for (int k = 0; k < 4; k++) {
                int e = element(v, k);
                out[o + 4 * v + k] = q[e] & 0xffff | q[e + 2] << 16;
                sum += q[e] + q[e + 2];
            }
        }
        out[o + 16] = Float.floatToRawIntBits(d);
        out[o + 17] = -8 * sum;
    }

    @Override
    float dot(MemorySegment w, int nb, long s, int[] p, int po) {
        float acc = 0;
        for (int b = 0; b < nb; b++) {
            long base = base(nb, s, b);
            int xo = po + b * E, sum = p[xo + 17];
            for (int v = 0; v < 4; v++) {
                int q = w.get(I32, chunk(base, s, v));
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

    // Only the JDK's force-inlined vector calls appear in the loops below: past C2's node budget, helpers of ours would
    // stay calls and box the vectors passed to them.

    @Override
    void group2(MemorySegment w, long ga, long gb, int nb, int[] p, int po, float[] out, int o) {
        FloatVector accA = FloatVector.zero(Vec.F), accB = FloatVector.zero(Vec.F);
        for (int b = 0; b < nb; b++) {
            long baseA = ga + (long) b * (18 * G); // written out in full: C2 kept the chunk loop a loop, with its checks
            long baseB = gb + (long) b * (18 * G);
            int xo = po + b * E;
            IntVector q0A = IntVector.fromMemorySegment(Vec.I, w, baseA + 0 * G, ByteOrder.LITTLE_ENDIAN);
            IntVector q0B = IntVector.fromMemorySegment(Vec.I, w, baseB + 0 * G, ByteOrder.LITTLE_ENDIAN);
            IntVector q1A = IntVector.fromMemorySegment(Vec.I, w, baseA + 4 * G, ByteOrder.LITTLE_ENDIAN);
            IntVector q1B = IntVector.fromMemorySegment(Vec.I, w, baseB + 4 * G, ByteOrder.LITTLE_ENDIAN);
            IntVector q2A = IntVector.fromMemorySegment(Vec.I, w, baseA + 8 * G, ByteOrder.LITTLE_ENDIAN);
            IntVector q2B = IntVector.fromMemorySegment(Vec.I, w, baseB + 8 * G, ByteOrder.LITTLE_ENDIAN);
            IntVector q3A = IntVector.fromMemorySegment(Vec.I, w, baseA + 12 * G, ByteOrder.LITTLE_ENDIAN);
            IntVector q3B = IntVector.fromMemorySegment(Vec.I, w, baseB + 12 * G, ByteOrder.LITTLE_ENDIAN);
            ShortVector sA = ShortVector.zero(SH), tA = ShortVector.zero(SH);
            ShortVector sB = ShortVector.zero(SH), tB = ShortVector.zero(SH);
            sA = sA.add(q0A.and(0xf000f).reinterpretAsShorts().mul(IntVector.broadcast(Vec.I, p[xo + 0]).reinterpretAsShorts()));
            sB = sB.add(q0B.and(0xf000f).reinterpretAsShorts().mul(IntVector.broadcast(Vec.I, p[xo + 0]).reinterpretAsShorts()));
            tA = tA.add(q0A.lanewise(LSHR, 4).and(0xf000f).reinterpretAsShorts().mul(IntVector.broadcast(Vec.I, p[xo + 1]).reinterpretAsShorts()));
            tB = tB.add(q0B.lanewise(LSHR, 4).and(0xf000f).reinterpretAsShorts().mul(IntVector.broadcast(Vec.I, p[xo + 1]).reinterpretAsShorts()));
            sA = sA.add(q0A.lanewise(LSHR, 8).and(0xf000f).reinterpretAsShorts().mul(IntVector.broadcast(Vec.I, p[xo + 2]).reinterpretAsShorts()));
            sB = sB.add(q0B.lanewise(LSHR, 8).and(0xf000f).reinterpretAsShorts().mul(IntVector.broadcast(Vec.I, p[xo + 2]).reinterpretAsShorts()));
            tA = tA.add(q0A.lanewise(LSHR, 12).and(0xf000f).reinterpretAsShorts().mul(IntVector.broadcast(Vec.I, p[xo + 3]).reinterpretAsShorts()));
            tB = tB.add(q0B.lanewise(LSHR, 12).and(0xf000f).reinterpretAsShorts().mul(IntVector.broadcast(Vec.I, p[xo + 3]).reinterpretAsShorts()));
            sA = sA.add(q1A.and(0xf000f).reinterpretAsShorts().mul(IntVector.broadcast(Vec.I, p[xo + 4]).reinterpretAsShorts()));
            sB = sB.add(q1B.and(0xf000f).reinterpretAsShorts().mul(IntVector.broadcast(Vec.I, p[xo + 4]).reinterpretAsShorts()));
            tA = tA.add(q1A.lanewise(LSHR, 4).and(0xf000f).reinterpretAsShorts().mul(IntVector.broadcast(Vec.I, p[xo + 5]).reinterpretAsShorts()));
            tB = tB.add(q1B.lanewise(LSHR, 4).and(0xf000f).reinterpretAsShorts().mul(IntVector.broadcast(Vec.I, p[xo + 5]).reinterpretAsShorts()));
            sA = sA.add(q1A.lanewise(LSHR, 8).and(0xf000f).reinterpretAsShorts().mul(IntVector.broadcast(Vec.I, p[xo + 6]).reinterpretAsShorts()));
            sB = sB.add(q1B.lanewise(LSHR, 8).and(0xf000f).reinterpretAsShorts().mul(IntVector.broadcast(Vec.I, p[xo + 6]).reinterpretAsShorts()));
            tA = tA.add(q1A.lanewise(LSHR, 12).and(0xf000f).reinterpretAsShorts().mul(IntVector.broadcast(Vec.I, p[xo + 7]).reinterpretAsShorts()));
            tB = tB.add(q1B.lanewise(LSHR, 12).and(0xf000f).reinterpretAsShorts().mul(IntVector.broadcast(Vec.I, p[xo + 7]).reinterpretAsShorts()));
            sA = sA.add(q2A.and(0xf000f).reinterpretAsShorts().mul(IntVector.broadcast(Vec.I, p[xo + 8]).reinterpretAsShorts()));
            sB = sB.add(q2B.and(0xf000f).reinterpretAsShorts().mul(IntVector.broadcast(Vec.I, p[xo + 8]).reinterpretAsShorts()));
            tA = tA.add(q2A.lanewise(LSHR, 4).and(0xf000f).reinterpretAsShorts().mul(IntVector.broadcast(Vec.I, p[xo + 9]).reinterpretAsShorts()));
            tB = tB.add(q2B.lanewise(LSHR, 4).and(0xf000f).reinterpretAsShorts().mul(IntVector.broadcast(Vec.I, p[xo + 9]).reinterpretAsShorts()));
            sA = sA.add(q2A.lanewise(LSHR, 8).and(0xf000f).reinterpretAsShorts().mul(IntVector.broadcast(Vec.I, p[xo + 10]).reinterpretAsShorts()));
            sB = sB.add(q2B.lanewise(LSHR, 8).and(0xf000f).reinterpretAsShorts().mul(IntVector.broadcast(Vec.I, p[xo + 10]).reinterpretAsShorts()));
            tA = tA.add(q2A.lanewise(LSHR, 12).and(0xf000f).reinterpretAsShorts().mul(IntVector.broadcast(Vec.I, p[xo + 11]).reinterpretAsShorts()));
            tB = tB.add(q2B.lanewise(LSHR, 12).and(0xf000f).reinterpretAsShorts().mul(IntVector.broadcast(Vec.I, p[xo + 11]).reinterpretAsShorts()));
            sA = sA.add(q3A.and(0xf000f).reinterpretAsShorts().mul(IntVector.broadcast(Vec.I, p[xo + 12]).reinterpretAsShorts()));
            sB = sB.add(q3B.and(0xf000f).reinterpretAsShorts().mul(IntVector.broadcast(Vec.I, p[xo + 12]).reinterpretAsShorts()));
            tA = tA.add(q3A.lanewise(LSHR, 4).and(0xf000f).reinterpretAsShorts().mul(IntVector.broadcast(Vec.I, p[xo + 13]).reinterpretAsShorts()));
            tB = tB.add(q3B.lanewise(LSHR, 4).and(0xf000f).reinterpretAsShorts().mul(IntVector.broadcast(Vec.I, p[xo + 13]).reinterpretAsShorts()));
            sA = sA.add(q3A.lanewise(LSHR, 8).and(0xf000f).reinterpretAsShorts().mul(IntVector.broadcast(Vec.I, p[xo + 14]).reinterpretAsShorts()));
            sB = sB.add(q3B.lanewise(LSHR, 8).and(0xf000f).reinterpretAsShorts().mul(IntVector.broadcast(Vec.I, p[xo + 14]).reinterpretAsShorts()));
            tA = tA.add(q3A.lanewise(LSHR, 12).and(0xf000f).reinterpretAsShorts().mul(IntVector.broadcast(Vec.I, p[xo + 15]).reinterpretAsShorts()));
            tB = tB.add(q3B.lanewise(LSHR, 12).and(0xf000f).reinterpretAsShorts().mul(IntVector.broadcast(Vec.I, p[xo + 15]).reinterpretAsShorts()));
            IntVector uA = sA.add(tA).reinterpretAsInts();
            IntVector uB = sB.add(tB).reinterpretAsInts();
            IntVector sumA = uA.lanewise(LSHL, 16).lanewise(ASHR, 16).add(uA.lanewise(ASHR, 16)).add(p[xo + 17]);
            IntVector sumB = uB.lanewise(LSHL, 16).lanewise(ASHR, 16).add(uB.lanewise(ASHR, 16)).add(p[xo + 17]);
            IntVector hA = (IntVector) ShortVector.fromMemorySegment(Vec.S, w, baseA + 16L * G, ByteOrder.LITTLE_ENDIAN).convertShape(S2I, Vec.I, 0);
            IntVector hB = (IntVector) ShortVector.fromMemorySegment(Vec.S, w, baseB + 16L * G, ByteOrder.LITTLE_ENDIAN).convertShape(S2I, Vec.I, 0);
            FloatVector dA = hA.lanewise(LSHL, 13).and(0x8fffe000).reinterpretAsFloats().mul(0x1p112f); // Vec.finiteHalf
            FloatVector dB = hB.lanewise(LSHL, 13).and(0x8fffe000).reinterpretAsFloats().mul(0x1p112f);
            accA = ((FloatVector) sumA.convert(I2F, 0)).mul(Float.intBitsToFloat(p[xo + 16])).fma(dA, accA);
            accB = ((FloatVector) sumB.convert(I2F, 0)).mul(Float.intBitsToFloat(p[xo + 16])).fma(dB, accB);
        }
        accA.intoArray(out, o);
        accB.intoArray(out, o + G);
    }
}
