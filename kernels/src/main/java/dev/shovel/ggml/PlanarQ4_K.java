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
 * Grouped Q4_K: {@link GroupPlanar#G} rows per group, one per vector lane. Per group and 256-element block: each
 * 32-element sub-block's nibbles as a grouped Q4_0 block (4 chunks of 4 bytes per row; byte i holds elements i and
 * i + 16), then the 8 six-bit scales and the 8 mins as bytes (2 chunks each), then the G fp16 d and the G dmin: 148
 * bytes per row and block, ggml's 144 with the scales unpacked.
 * <p>
 * Matvec multiplies Q4_0's prepared int8 activations (per 32: pairs, dx, -8 sum xq): per sub-block j the 16-bit
 * sums S = sum q xq as Q4_0's kernel makes them, then fa += float(sc_j S) dx and fb += float(m_j) (dx sum xq); per
 * block acc += d fa - dmin fb. The GEMM runs the same steps for 4 batch columns per pass ({@link #group4c}).
 */
final class PlanarQ4_K extends KMinPlanar {
    /** Offsets in a group-block: scales, mins, d, dmin; and its size. */
    private static final int SC = 128 * G, MN = 136 * G, D = 144 * G, DM = 146 * G, BB = 148 * G;
    /** After the offsets: a static field initializer runs in order, and they are not compile-time constants. */
    static final PlanarQ4_K INSTANCE = new PlanarQ4_K();

    private PlanarQ4_K() { super(SC, MN, D, DM, Q4_K.BLOCK, Q4_K.SCALES, Q4_K.QS); }

    @Override public GGMLType type() { return GGMLType.Q4_K; }

    @Override int groupBlockBytes() { return BB; }

    @Override
    int quant(MemorySegment w, long base, long s, int j, int e) { return nibble(w, base, s, j, e); }

    // Only the JDK's force-inlined vector calls below: helpers of ours past C2's node budget would box the vectors.

    @Override
    void group2(MemorySegment w, long ga, long gb, int nb, int[] p, int po, float[] out, int o) {
        FloatVector accA = FloatVector.zero(Vec.F), accB = FloatVector.zero(Vec.F);
        for (int b = 0; b < nb; b++) {
            long baseA = ga + (long) b * BB;
            long baseB = gb + (long) b * BB;
            FloatVector faA = FloatVector.zero(Vec.F), fbA = FloatVector.zero(Vec.F);
            FloatVector faB = FloatVector.zero(Vec.F), fbB = FloatVector.zero(Vec.F);
            for (int j = 0; j < 8; j++) {
                long sbA = baseA + j * 16L * G;
                long sbB = baseB + j * 16L * G;
                int xo = po + (8 * b + j) * E;
                ShortVector sA = ShortVector.zero(GroupPlanar.SH), tA = sA, sB = sA, tB = sA;
                for (int v = 0; v < 4; v++) { // a loop: written out, both groups would not fit C1's registers
                    IntVector qA = IntVector.fromMemorySegment(Vec.I, w, sbA + v * 4L * G, ByteOrder.LITTLE_ENDIAN), qB = IntVector.fromMemorySegment(Vec.I, w, sbB + v * 4L * G, ByteOrder.LITTLE_ENDIAN);
                    ShortVector x0 = IntVector.broadcast(Vec.I, p[xo + 4 * v]).reinterpretAsShorts(), x1 = IntVector.broadcast(Vec.I, p[xo + 4 * v + 1]).reinterpretAsShorts();
                    ShortVector x2 = IntVector.broadcast(Vec.I, p[xo + 4 * v + 2]).reinterpretAsShorts(), x3 = IntVector.broadcast(Vec.I, p[xo + 4 * v + 3]).reinterpretAsShorts();
                    sA = sA.add(qA.and(0xf000f).reinterpretAsShorts().mul(x0)).add(qA.lanewise(LSHR, 8).and(0xf000f).reinterpretAsShorts().mul(x2));
                    tA = tA.add(qA.lanewise(LSHR, 4).and(0xf000f).reinterpretAsShorts().mul(x1)).add(qA.lanewise(LSHR, 12).and(0xf000f).reinterpretAsShorts().mul(x3));
                    sB = sB.add(qB.and(0xf000f).reinterpretAsShorts().mul(x0)).add(qB.lanewise(LSHR, 8).and(0xf000f).reinterpretAsShorts().mul(x2));
                    tB = tB.add(qB.lanewise(LSHR, 4).and(0xf000f).reinterpretAsShorts().mul(x1)).add(qB.lanewise(LSHR, 12).and(0xf000f).reinterpretAsShorts().mul(x3));
                }
                IntVector uA = sA.add(tA).reinterpretAsInts();
                IntVector uB = sB.add(tB).reinterpretAsInts();
                IntVector sumA = uA.lanewise(LSHL, 16).lanewise(ASHR, 16).add(uA.lanewise(ASHR, 16));
                IntVector sumB = uB.lanewise(LSHL, 16).lanewise(ASHR, 16).add(uB.lanewise(ASHR, 16));
                IntVector scA = IntVector.fromMemorySegment(Vec.I, w, baseA + SC + (j >> 2) * 4L * G, ByteOrder.LITTLE_ENDIAN).lanewise(LSHR, 8 * (j & 3)).and(0xff);
                IntVector scB = IntVector.fromMemorySegment(Vec.I, w, baseB + SC + (j >> 2) * 4L * G, ByteOrder.LITTLE_ENDIAN).lanewise(LSHR, 8 * (j & 3)).and(0xff);
                IntVector mnA = IntVector.fromMemorySegment(Vec.I, w, baseA + MN + (j >> 2) * 4L * G, ByteOrder.LITTLE_ENDIAN).lanewise(LSHR, 8 * (j & 3)).and(0xff);
                IntVector mnB = IntVector.fromMemorySegment(Vec.I, w, baseB + MN + (j >> 2) * 4L * G, ByteOrder.LITTLE_ENDIAN).lanewise(LSHR, 8 * (j & 3)).and(0xff);
                float dx = Float.intBitsToFloat(p[xo + 16]);
                faA = ((FloatVector) sumA.mul(scA).convert(I2F, 0)).fma(FloatVector.broadcast(Vec.F, dx), faA);
                faB = ((FloatVector) sumB.mul(scB).convert(I2F, 0)).fma(FloatVector.broadcast(Vec.F, dx), faB);
                fbA = ((FloatVector) mnA.convert(I2F, 0)).fma(FloatVector.broadcast(Vec.F, dx * (p[xo + 17] / -8)), fbA);
                fbB = ((FloatVector) mnB.convert(I2F, 0)).fma(FloatVector.broadcast(Vec.F, dx * (p[xo + 17] / -8)), fbB);
            }
            IntVector hA = (IntVector) ShortVector.fromMemorySegment(Vec.S, w, baseA + D, ByteOrder.LITTLE_ENDIAN).convertShape(S2I, Vec.I, 0);
            IntVector hB = (IntVector) ShortVector.fromMemorySegment(Vec.S, w, baseB + D, ByteOrder.LITTLE_ENDIAN).convertShape(S2I, Vec.I, 0);
            FloatVector dA = hA.lanewise(LSHL, 13).and(0x8fffe000).reinterpretAsFloats().mul(0x1p112f); // Vec.finiteHalf
            FloatVector dB = hB.lanewise(LSHL, 13).and(0x8fffe000).reinterpretAsFloats().mul(0x1p112f);
            IntVector hmA = (IntVector) ShortVector.fromMemorySegment(Vec.S, w, baseA + DM, ByteOrder.LITTLE_ENDIAN).convertShape(S2I, Vec.I, 0);
            IntVector hmB = (IntVector) ShortVector.fromMemorySegment(Vec.S, w, baseB + DM, ByteOrder.LITTLE_ENDIAN).convertShape(S2I, Vec.I, 0);
            FloatVector dminA = hmA.lanewise(LSHL, 13).and(0x8fffe000).reinterpretAsFloats().mul(-0x1p112f); // -Vec.finiteHalf
            FloatVector dminB = hmB.lanewise(LSHL, 13).and(0x8fffe000).reinterpretAsFloats().mul(-0x1p112f);
            accA = dminA.fma(fbA, dA.fma(faA, accA));
            accB = dminB.fma(fbB, dB.fma(faB, accB));
        }
        accA.intoArray(out, o);
        accB.intoArray(out, o + G);
    }

    @Override
    void group4c(MemorySegment w, long g, int nb, int[] p, int po, int cs, float[] out, int o) {
        FloatVector acc0 = FloatVector.zero(Vec.F), acc1 = acc0, acc2 = acc0, acc3 = acc0;
        for (int b = 0; b < nb; b++) {
            long base = g + (long) b * BB;
            FloatVector fa0 = FloatVector.zero(Vec.F), fa1 = fa0, fa2 = fa0, fa3 = fa0, fb0 = fa0, fb1 = fa0, fb2 = fa0, fb3 = fa0;
            for (int j = 0; j < 8; j++) {
                long sb = base + j * 16L * G;
                int x0 = po + (8 * b + j) * E, x1 = x0 + cs, x2 = x1 + cs, x3 = x2 + cs;
                ShortVector s0 = ShortVector.zero(GroupPlanar.SH), s1 = s0, s2 = s0, s3 = s0, t0 = s0, t1 = s0, t2 = s0, t3 = s0;
                for (int v = 0; v < 4; v++) {
                    IntVector q = IntVector.fromMemorySegment(Vec.I, w, sb + v * 4L * G, ByteOrder.LITTLE_ENDIAN);
                    ShortVector e0 = q.and(0xf000f).reinterpretAsShorts(), e1 = q.lanewise(LSHR, 4).and(0xf000f).reinterpretAsShorts();
                    ShortVector e2 = q.lanewise(LSHR, 8).and(0xf000f).reinterpretAsShorts(), e3 = q.lanewise(LSHR, 12).and(0xf000f).reinterpretAsShorts();
                    s0 = s0.add(e0.mul(IntVector.broadcast(Vec.I, p[x0 + 4 * v]).reinterpretAsShorts())).add(e2.mul(IntVector.broadcast(Vec.I, p[x0 + 4 * v + 2]).reinterpretAsShorts()));
                    t0 = t0.add(e1.mul(IntVector.broadcast(Vec.I, p[x0 + 4 * v + 1]).reinterpretAsShorts())).add(e3.mul(IntVector.broadcast(Vec.I, p[x0 + 4 * v + 3]).reinterpretAsShorts()));
                    s1 = s1.add(e0.mul(IntVector.broadcast(Vec.I, p[x1 + 4 * v]).reinterpretAsShorts())).add(e2.mul(IntVector.broadcast(Vec.I, p[x1 + 4 * v + 2]).reinterpretAsShorts()));
                    t1 = t1.add(e1.mul(IntVector.broadcast(Vec.I, p[x1 + 4 * v + 1]).reinterpretAsShorts())).add(e3.mul(IntVector.broadcast(Vec.I, p[x1 + 4 * v + 3]).reinterpretAsShorts()));
                    s2 = s2.add(e0.mul(IntVector.broadcast(Vec.I, p[x2 + 4 * v]).reinterpretAsShorts())).add(e2.mul(IntVector.broadcast(Vec.I, p[x2 + 4 * v + 2]).reinterpretAsShorts()));
                    t2 = t2.add(e1.mul(IntVector.broadcast(Vec.I, p[x2 + 4 * v + 1]).reinterpretAsShorts())).add(e3.mul(IntVector.broadcast(Vec.I, p[x2 + 4 * v + 3]).reinterpretAsShorts()));
                    s3 = s3.add(e0.mul(IntVector.broadcast(Vec.I, p[x3 + 4 * v]).reinterpretAsShorts())).add(e2.mul(IntVector.broadcast(Vec.I, p[x3 + 4 * v + 2]).reinterpretAsShorts()));
                    t3 = t3.add(e1.mul(IntVector.broadcast(Vec.I, p[x3 + 4 * v + 1]).reinterpretAsShorts())).add(e3.mul(IntVector.broadcast(Vec.I, p[x3 + 4 * v + 3]).reinterpretAsShorts()));
                }
                IntVector sc = IntVector.fromMemorySegment(Vec.I, w, base + SC + (j >> 2) * 4L * G, ByteOrder.LITTLE_ENDIAN).lanewise(LSHR, 8 * (j & 3)).and(0xff);
                FloatVector mn = (FloatVector) IntVector.fromMemorySegment(Vec.I, w, base + MN + (j >> 2) * 4L * G, ByteOrder.LITTLE_ENDIAN).lanewise(LSHR, 8 * (j & 3)).and(0xff).convert(I2F, 0);
                IntVector u0 = s0.add(t0).reinterpretAsInts();
                IntVector sum0 = u0.lanewise(LSHL, 16).lanewise(ASHR, 16).add(u0.lanewise(ASHR, 16));
                float dx0 = Float.intBitsToFloat(p[x0 + 16]);
                fa0 = ((FloatVector) sum0.mul(sc).convert(I2F, 0)).fma(FloatVector.broadcast(Vec.F, dx0), fa0);
                fb0 = mn.fma(FloatVector.broadcast(Vec.F, dx0 * (p[x0 + 17] / -8)), fb0);
                IntVector u1 = s1.add(t1).reinterpretAsInts();
                IntVector sum1 = u1.lanewise(LSHL, 16).lanewise(ASHR, 16).add(u1.lanewise(ASHR, 16));
                float dx1 = Float.intBitsToFloat(p[x1 + 16]);
                fa1 = ((FloatVector) sum1.mul(sc).convert(I2F, 0)).fma(FloatVector.broadcast(Vec.F, dx1), fa1);
                fb1 = mn.fma(FloatVector.broadcast(Vec.F, dx1 * (p[x1 + 17] / -8)), fb1);
                IntVector u2 = s2.add(t2).reinterpretAsInts();
                IntVector sum2 = u2.lanewise(LSHL, 16).lanewise(ASHR, 16).add(u2.lanewise(ASHR, 16));
                float dx2 = Float.intBitsToFloat(p[x2 + 16]);
                fa2 = ((FloatVector) sum2.mul(sc).convert(I2F, 0)).fma(FloatVector.broadcast(Vec.F, dx2), fa2);
                fb2 = mn.fma(FloatVector.broadcast(Vec.F, dx2 * (p[x2 + 17] / -8)), fb2);
                IntVector u3 = s3.add(t3).reinterpretAsInts();
                IntVector sum3 = u3.lanewise(LSHL, 16).lanewise(ASHR, 16).add(u3.lanewise(ASHR, 16));
                float dx3 = Float.intBitsToFloat(p[x3 + 16]);
                fa3 = ((FloatVector) sum3.mul(sc).convert(I2F, 0)).fma(FloatVector.broadcast(Vec.F, dx3), fa3);
                fb3 = mn.fma(FloatVector.broadcast(Vec.F, dx3 * (p[x3 + 17] / -8)), fb3);
            }
            IntVector dh = (IntVector) ShortVector.fromMemorySegment(Vec.S, w, base + D, ByteOrder.LITTLE_ENDIAN).convertShape(S2I, Vec.I, 0);
            IntVector mh = (IntVector) ShortVector.fromMemorySegment(Vec.S, w, base + DM, ByteOrder.LITTLE_ENDIAN).convertShape(S2I, Vec.I, 0);
            FloatVector d = dh.lanewise(LSHL, 13).and(0x8fffe000).reinterpretAsFloats().mul(0x1p112f); // Vec.finiteHalf
            FloatVector dmin = mh.lanewise(LSHL, 13).and(0x8fffe000).reinterpretAsFloats().mul(-0x1p112f); // -Vec.finiteHalf
            acc0 = dmin.fma(fb0, d.fma(fa0, acc0));
            acc1 = dmin.fma(fb1, d.fma(fa1, acc1));
            acc2 = dmin.fma(fb2, d.fma(fa2, acc2));
            acc3 = dmin.fma(fb3, d.fma(fa3, acc3));
        }
        acc0.intoArray(out, o + 0 * G);
        acc1.intoArray(out, o + 1 * G);
        acc2.intoArray(out, o + 2 * G);
        acc3.intoArray(out, o + 3 * G);
    }
}
