package dev.shovel.ggml;

import static jdk.incubator.vector.VectorOperators.ASHR;
import static jdk.incubator.vector.VectorOperators.B2S;
import static jdk.incubator.vector.VectorOperators.I2F;
import static jdk.incubator.vector.VectorOperators.LSHL;
import static jdk.incubator.vector.VectorOperators.S2I;
import static jdk.incubator.vector.VectorOperators.XOR;

import dev.shovel.gguf.GGMLType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * Grouped Q8_0: chunks of 2 bytes, so chunk i holds elements 2i and 2i+1 of every row; sign-extended to shorts, each
 * int lane is one row's pair, multiplied by the broadcast pair of int8 activations. Two chunks' products, at most
 * 128 * 127 each, fit a short; they are then widened and summed in ints. Per row and block: d * dx * sum q * xq.
 */
final class PlanarQ8_0 extends GroupPlanar {
    static final PlanarQ8_0 INSTANCE = new PlanarQ8_0();
    /** Prepared ints per block: 16 activation pairs, dx (float bits). */
    private static final int E = 17;
    /** Bytes of a chunk across the group. */
    private static final VectorSpecies<Byte> B2 = VectorSpecies.of(byte.class, VectorShape.forBitSize(Vec.I.vectorBitSize() / 2));

    @Override public GGMLType type() { return GGMLType.Q8_0; }

    @Override int qsBytes() { return 32; }

    @Override int chunk() { return 2; }

    @Override public int width() { return E; }

    @Override
    void decode(MemorySegment w, int nb, long s, int b, float[] out, int o) {
        long base = base(nb, s, b);
        float d = Float.float16ToFloat(w.get(I16, scale(base, s)));
        for (int i = 0; i < 16; i++) {
            long c = chunk(base, s, i);
            out[o + 2 * i] = d * w.get(ValueLayout.JAVA_BYTE, c);
            out[o + 2 * i + 1] = d * w.get(ValueLayout.JAVA_BYTE, c + 1);
        }
    }

    @Override
    void prepareBlock(float[] x, int i, int[] out, int o) {
        int[] q = QS.get();
        float d = quantize(x, i, q);
        for (int k = 0; k < 16; k++) out[o + k] = q[2 * k] & 0xffff | q[2 * k + 1] << 16;
        out[o + 16] = Float.floatToRawIntBits(d);
    }

    @Override
    float dot(MemorySegment w, int nb, long s, int[] p, int po) {
        float acc = 0;
        for (int b = 0; b < nb; b++) {
            long base = base(nb, s, b);
            int xo = po + b * E, sum = 0;
            for (int i = 0; i < 16; i++) {
                long c = chunk(base, s, i);
                int pair = p[xo + i];
                sum += w.get(ValueLayout.JAVA_BYTE, c) * (short) pair + w.get(ValueLayout.JAVA_BYTE, c + 1) * (pair >> 16);
            }
            float d = Float.float16ToFloat(w.get(I16, scale(base, s)));
            acc = Math.fma((float) sum * Float.intBitsToFloat(p[xo + 16]), d, acc);
        }
        return acc;
    }

    // Only the JDK's force-inlined vector calls appear in the loops below: past C2's node budget, helpers of ours would
    // stay calls and box the vectors passed to them.

    @Override
    void group2(MemorySegment w, long ga, long gb, int nb, int[] p, int po, float[] out, int o) { // one after the other
        group(w, ga, nb, p, po, out, o);
        if (gb != ga) group(w, gb, nb, p, po, out, o + G);
    }

    /** One group: its sixteen chunks written out (both groups of {@link #group2} at once would not fit C1's registers). */
    private void group(MemorySegment w, long gb, int nb, int[] p, int po, float[] out, int o) {
        FloatVector acc = FloatVector.zero(Vec.F);
        for (int b = 0; b < nb; b++) {
            long base = gb + (long) b * (34 * G);
            int xo = po + b * E;
            ShortVector q0 = (ShortVector) ByteVector.fromMemorySegment(B2, w, base + 0 * G, ByteOrder.LITTLE_ENDIAN).convertShape(B2S, SH, 0);
            ShortVector q1 = (ShortVector) ByteVector.fromMemorySegment(B2, w, base + 2 * G, ByteOrder.LITTLE_ENDIAN).convertShape(B2S, SH, 0);
            IntVector t0 = q0.mul(IntVector.broadcast(Vec.I, p[xo + 0]).reinterpretAsShorts()).add(q1.mul(IntVector.broadcast(Vec.I, p[xo + 1]).reinterpretAsShorts())).reinterpretAsInts();
            ShortVector q2 = (ShortVector) ByteVector.fromMemorySegment(B2, w, base + 4 * G, ByteOrder.LITTLE_ENDIAN).convertShape(B2S, SH, 0);
            ShortVector q3 = (ShortVector) ByteVector.fromMemorySegment(B2, w, base + 6 * G, ByteOrder.LITTLE_ENDIAN).convertShape(B2S, SH, 0);
            IntVector t1 = q2.mul(IntVector.broadcast(Vec.I, p[xo + 2]).reinterpretAsShorts()).add(q3.mul(IntVector.broadcast(Vec.I, p[xo + 3]).reinterpretAsShorts())).reinterpretAsInts();
            ShortVector q4 = (ShortVector) ByteVector.fromMemorySegment(B2, w, base + 8 * G, ByteOrder.LITTLE_ENDIAN).convertShape(B2S, SH, 0);
            ShortVector q5 = (ShortVector) ByteVector.fromMemorySegment(B2, w, base + 10 * G, ByteOrder.LITTLE_ENDIAN).convertShape(B2S, SH, 0);
            IntVector t2 = q4.mul(IntVector.broadcast(Vec.I, p[xo + 4]).reinterpretAsShorts()).add(q5.mul(IntVector.broadcast(Vec.I, p[xo + 5]).reinterpretAsShorts())).reinterpretAsInts();
            ShortVector q6 = (ShortVector) ByteVector.fromMemorySegment(B2, w, base + 12 * G, ByteOrder.LITTLE_ENDIAN).convertShape(B2S, SH, 0);
            ShortVector q7 = (ShortVector) ByteVector.fromMemorySegment(B2, w, base + 14 * G, ByteOrder.LITTLE_ENDIAN).convertShape(B2S, SH, 0);
            IntVector t3 = q6.mul(IntVector.broadcast(Vec.I, p[xo + 6]).reinterpretAsShorts()).add(q7.mul(IntVector.broadcast(Vec.I, p[xo + 7]).reinterpretAsShorts())).reinterpretAsInts();
            ShortVector q8 = (ShortVector) ByteVector.fromMemorySegment(B2, w, base + 16 * G, ByteOrder.LITTLE_ENDIAN).convertShape(B2S, SH, 0);
            ShortVector q9 = (ShortVector) ByteVector.fromMemorySegment(B2, w, base + 18 * G, ByteOrder.LITTLE_ENDIAN).convertShape(B2S, SH, 0);
            IntVector t4 = q8.mul(IntVector.broadcast(Vec.I, p[xo + 8]).reinterpretAsShorts()).add(q9.mul(IntVector.broadcast(Vec.I, p[xo + 9]).reinterpretAsShorts())).reinterpretAsInts();
            ShortVector q10 = (ShortVector) ByteVector.fromMemorySegment(B2, w, base + 20 * G, ByteOrder.LITTLE_ENDIAN).convertShape(B2S, SH, 0);
            ShortVector q11 = (ShortVector) ByteVector.fromMemorySegment(B2, w, base + 22 * G, ByteOrder.LITTLE_ENDIAN).convertShape(B2S, SH, 0);
            IntVector t5 = q10.mul(IntVector.broadcast(Vec.I, p[xo + 10]).reinterpretAsShorts()).add(q11.mul(IntVector.broadcast(Vec.I, p[xo + 11]).reinterpretAsShorts())).reinterpretAsInts();
            ShortVector q12 = (ShortVector) ByteVector.fromMemorySegment(B2, w, base + 24 * G, ByteOrder.LITTLE_ENDIAN).convertShape(B2S, SH, 0);
            ShortVector q13 = (ShortVector) ByteVector.fromMemorySegment(B2, w, base + 26 * G, ByteOrder.LITTLE_ENDIAN).convertShape(B2S, SH, 0);
            IntVector t6 = q12.mul(IntVector.broadcast(Vec.I, p[xo + 12]).reinterpretAsShorts()).add(q13.mul(IntVector.broadcast(Vec.I, p[xo + 13]).reinterpretAsShorts())).reinterpretAsInts();
            ShortVector q14 = (ShortVector) ByteVector.fromMemorySegment(B2, w, base + 28 * G, ByteOrder.LITTLE_ENDIAN).convertShape(B2S, SH, 0);
            ShortVector q15 = (ShortVector) ByteVector.fromMemorySegment(B2, w, base + 30 * G, ByteOrder.LITTLE_ENDIAN).convertShape(B2S, SH, 0);
            IntVector t7 = q14.mul(IntVector.broadcast(Vec.I, p[xo + 14]).reinterpretAsShorts()).add(q15.mul(IntVector.broadcast(Vec.I, p[xo + 15]).reinterpretAsShorts())).reinterpretAsInts();
            // Each t is one row's two 16-bit sums lo + 65536 hi; with lo biased by 2^15 to be unsigned, plain int adds
            // sum them exactly (mod 2^32), and the his summed apart give lo + hi = sum - 65535 his - 8 * 2^15.
            IntVector u = t0.lanewise(XOR, 0x8000).add(t1.lanewise(XOR, 0x8000)).add(t2.lanewise(XOR, 0x8000)).add(t3.lanewise(XOR, 0x8000))
                    .add(t4.lanewise(XOR, 0x8000)).add(t5.lanewise(XOR, 0x8000)).add(t6.lanewise(XOR, 0x8000)).add(t7.lanewise(XOR, 0x8000));
            IntVector hi = t0.lanewise(ASHR, 16).add(t1.lanewise(ASHR, 16)).add(t2.lanewise(ASHR, 16)).add(t3.lanewise(ASHR, 16))
                    .add(t4.lanewise(ASHR, 16)).add(t5.lanewise(ASHR, 16)).add(t6.lanewise(ASHR, 16)).add(t7.lanewise(ASHR, 16));
            IntVector sum = u.sub(hi.lanewise(LSHL, 16)).add(hi).sub(8 << 15);
            IntVector h = (IntVector) ShortVector.fromMemorySegment(Vec.S, w, base + 32L * G, ByteOrder.LITTLE_ENDIAN).convertShape(S2I, Vec.I, 0);
            FloatVector d = h.lanewise(LSHL, 13).and(0x8fffe000).reinterpretAsFloats().mul(0x1p112f); // Vec.finiteHalf
            acc = ((FloatVector) sum.convert(I2F, 0)).mul(Float.intBitsToFloat(p[xo + 16])).fma(d, acc);
        }
        acc.intoArray(out, o);
    }

    /**
     * Its GEMM reads prepared x too: 4 columns per pass over a group ({@link #group4c}), the rest one by one through
     * matvec's kernel, so every column's result is bit for bit matvec's.
     */

    @Override
    void tiles(PlanarMatrix m, float[] x, int[] p, int batch, float[] out, int outStride, int r0, int r1) {
        int nb = m.n() / QK, first = m.first(), cs = nb * E, quads = batch & ~3;
        long s0 = (long) first + r0, s1 = (long) first + r1, gbytes = (long) nb * 34 * G;
        float[] tmp = QUAD.get();
        for (long g = s0 / G; g < (s1 + G - 1) / G; g++) {
            for (int c = 0; c < quads; c += 4) {
                group4c(m.data(), g * gbytes, nb, p, c * cs, cs, tmp, 0);
                for (int k = 0; k < 4; k++) put(tmp, k * G, g, s0, s1, first, out, (c + k) * outStride);
            }
            for (int c = quads; c < batch; c++) {
                group(m.data(), g * gbytes, nb, p, c * cs, tmp, 0);
                put(tmp, 0, g, s0, s1, first, out, c * outStride);
            }
        }
    }

    private static final ThreadLocal<float[]> QUAD = ThreadLocal.withInitial(() -> new float[4 * G]);

    /** The group at {@code g} against 4 columns prepared at p[po + c * cs..]: {@link #group}'s sums and steps per column. */
    private void group4c(MemorySegment w, long g, int nb, int[] p, int po, int cs, float[] out, int o) {
        FloatVector acc0 = FloatVector.zero(Vec.F), acc1 = acc0, acc2 = acc0, acc3 = acc0;
        for (int b = 0; b < nb; b++) {
            long base = g + (long) b * (34 * G);
            int x0 = po + b * E, x1 = x0 + cs, x2 = x1 + cs, x3 = x2 + cs;
            IntVector u0 = IntVector.zero(Vec.I), u1 = u0, u2 = u0, u3 = u0, hi0 = u0, hi1 = u0, hi2 = u0, hi3 = u0;
            for (int i = 0; i < 8; i++) { // a loop: written out it is past C1's registers
                ShortVector qa = (ShortVector) ByteVector.fromMemorySegment(B2, w, base + 4L * i * G, ByteOrder.LITTLE_ENDIAN).convertShape(B2S, SH, 0);
                ShortVector qb = (ShortVector) ByteVector.fromMemorySegment(B2, w, base + (4L * i + 2) * G, ByteOrder.LITTLE_ENDIAN).convertShape(B2S, SH, 0);
                IntVector t0 = qa.mul(IntVector.broadcast(Vec.I, p[x0 + 2 * i]).reinterpretAsShorts()).add(qb.mul(IntVector.broadcast(Vec.I, p[x0 + 2 * i + 1]).reinterpretAsShorts())).reinterpretAsInts();
                u0 = u0.add(t0.lanewise(XOR, 0x8000));
                hi0 = hi0.add(t0.lanewise(ASHR, 16));
                IntVector t1 = qa.mul(IntVector.broadcast(Vec.I, p[x1 + 2 * i]).reinterpretAsShorts()).add(qb.mul(IntVector.broadcast(Vec.I, p[x1 + 2 * i + 1]).reinterpretAsShorts())).reinterpretAsInts();
                u1 = u1.add(t1.lanewise(XOR, 0x8000));
                hi1 = hi1.add(t1.lanewise(ASHR, 16));
                IntVector t2 = qa.mul(IntVector.broadcast(Vec.I, p[x2 + 2 * i]).reinterpretAsShorts()).add(qb.mul(IntVector.broadcast(Vec.I, p[x2 + 2 * i + 1]).reinterpretAsShorts())).reinterpretAsInts();
                u2 = u2.add(t2.lanewise(XOR, 0x8000));
                hi2 = hi2.add(t2.lanewise(ASHR, 16));
                IntVector t3 = qa.mul(IntVector.broadcast(Vec.I, p[x3 + 2 * i]).reinterpretAsShorts()).add(qb.mul(IntVector.broadcast(Vec.I, p[x3 + 2 * i + 1]).reinterpretAsShorts())).reinterpretAsInts();
                u3 = u3.add(t3.lanewise(XOR, 0x8000));
                hi3 = hi3.add(t3.lanewise(ASHR, 16));
            }
            IntVector h = (IntVector) ShortVector.fromMemorySegment(Vec.S, w, base + 32L * G, ByteOrder.LITTLE_ENDIAN).convertShape(S2I, Vec.I, 0);
            FloatVector d = h.lanewise(LSHL, 13).and(0x8fffe000).reinterpretAsFloats().mul(0x1p112f); // Vec.finiteHalf
            IntVector sum0 = u0.sub(hi0.lanewise(LSHL, 16)).add(hi0).sub(8 << 15);
            acc0 = ((FloatVector) sum0.convert(I2F, 0)).mul(Float.intBitsToFloat(p[x0 + 16])).fma(d, acc0);
            IntVector sum1 = u1.sub(hi1.lanewise(LSHL, 16)).add(hi1).sub(8 << 15);
            acc1 = ((FloatVector) sum1.convert(I2F, 0)).mul(Float.intBitsToFloat(p[x1 + 16])).fma(d, acc1);
            IntVector sum2 = u2.sub(hi2.lanewise(LSHL, 16)).add(hi2).sub(8 << 15);
            acc2 = ((FloatVector) sum2.convert(I2F, 0)).mul(Float.intBitsToFloat(p[x2 + 16])).fma(d, acc2);
            IntVector sum3 = u3.sub(hi3.lanewise(LSHL, 16)).add(hi3).sub(8 << 15);
            acc3 = ((FloatVector) sum3.convert(I2F, 0)).mul(Float.intBitsToFloat(p[x3 + 16])).fma(d, acc3);
        }
        acc0.intoArray(out, o + 0 * G);
        acc1.intoArray(out, o + 1 * G);
        acc2.intoArray(out, o + 2 * G);
        acc3.intoArray(out, o + 3 * G);
    }

}
