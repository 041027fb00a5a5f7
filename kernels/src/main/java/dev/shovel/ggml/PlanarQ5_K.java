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

/**
 * Grouped Q5_K: {@link PlanarQ4_K}'s layout with the fifth bits beside the nibbles. Per group and 256-element block:
 * the 8 sub-blocks' low nibbles as grouped Q4_0 blocks, then per sub-block one int per row of fifth bits, then the
 * scales, mins, d and dmin as Q4_K's: 180 bytes per row and block (ggml's 176, the scales unpacked).
 * <p>
 * A fifth-bit int holds, for extraction k of chunk v (whose 16-bit lanes are elements e = element(v, k) and e + 2),
 * e's bit at 4v + k and e + 2's at 16 + 4v + k: one shift and one mask put 16 * h beside each nibble. With q up to 31
 * and activations at most 127 in size, the two 16-bit accumulators of 8 products each still fit; they are widened
 * apart. Otherwise the kernel is Q4_K's: fa += float(sc S) dx, fb += float(m) (dx sum xq), acc += d fa - dmin fb.
 */
final class PlanarQ5_K extends KMinPlanar {
    /** Offsets in a group-block: fifth bits, scales, mins, d, dmin; and its size. */
    private static final int H = 128 * G, SC = 160 * G, MN = 168 * G, D = 176 * G, DM = 178 * G, BB = 180 * G;
    /** After the offsets: a static field initializer runs in order, and they are not compile-time constants. */
    static final PlanarQ5_K INSTANCE = new PlanarQ5_K();

    private PlanarQ5_K() { super(SC, MN, D, DM, Q5_K.BLOCK, Q5_K.SCALES, Q5_K.QS); }

    @Override public GGMLType type() { return GGMLType.Q5_K; }

    @Override int groupBlockBytes() { return BB; }

    /** Bit of the fifth-bit int that holds element e (0..31) of a sub-block. */
    static int hbit(int e) {
        int lane = (e & 2) != 0 ? 16 : 0, base = e - ((e & 2) != 0 ? 2 : 0); // e or e - 2 is element(v, k)
        int v = (base & 15) >> 2, k = 2 * ((base & 15) & 1) + (base >> 4); // inverse of PlanarQ4_0.element
        return lane + 4 * v + k;
    }

    @Override
    int quant(MemorySegment w, long base, long s, int j, int e) {
        int bits = w.get(ValueLayout.JAVA_INT_UNALIGNED, base + H + j * 4L * G + 4 * (s % G));
        return nibble(w, base, s, j, e) | (bits >>> hbit(e) & 1) << 4;
    }

    @Override
    void packMore(MemorySegment src, long blk, int j, MemorySegment dst, long base, int lane) { // the fifth bits
        int bits = 0;
        for (int e = 0; e < 32; e++) bits |= (KQuants.b(src, blk + Q5_K.QH + e) >> j & 1) << hbit(e);
        dst.set(ValueLayout.JAVA_INT_UNALIGNED, base + H + j * 4L * G + 4L * lane, bits);
    }

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
                IntVector hA = IntVector.fromMemorySegment(Vec.I, w, baseA + H + j * 4L * G, ByteOrder.LITTLE_ENDIAN);
                IntVector hB = IntVector.fromMemorySegment(Vec.I, w, baseB + H + j * 4L * G, ByteOrder.LITTLE_ENDIAN);
                ShortVector sA = ShortVector.zero(GroupPlanar.SH), tA = sA, sB = sA, tB = sA;
                for (int v = 0; v < 4; v++) { // a loop: written out, both groups would not fit C1's registers
                    IntVector qA = IntVector.fromMemorySegment(Vec.I, w, sbA + v * 4L * G, ByteOrder.LITTLE_ENDIAN), qB = IntVector.fromMemorySegment(Vec.I, w, sbB + v * 4L * G, ByteOrder.LITTLE_ENDIAN);
                    // fifth bits of extraction k at bit 4v + k (and 16 + 4v + k): moved to bit 4 (and 20) of each 16-bit lane
                    IntVector h0A = hA.lanewise(LSHR, 4 * v).lanewise(LSHL, 4).and(0x100010), h0B = hB.lanewise(LSHR, 4 * v).lanewise(LSHL, 4).and(0x100010);
                    IntVector h1A = hA.lanewise(LSHR, 4 * v).lanewise(LSHL, 3).and(0x100010), h1B = hB.lanewise(LSHR, 4 * v).lanewise(LSHL, 3).and(0x100010);
                    IntVector h2A = hA.lanewise(LSHR, 4 * v).lanewise(LSHL, 2).and(0x100010), h2B = hB.lanewise(LSHR, 4 * v).lanewise(LSHL, 2).and(0x100010);
                    IntVector h3A = hA.lanewise(LSHR, 4 * v).lanewise(LSHL, 1).and(0x100010), h3B = hB.lanewise(LSHR, 4 * v).lanewise(LSHL, 1).and(0x100010);
                    ShortVector x0 = IntVector.broadcast(Vec.I, p[xo + 4 * v]).reinterpretAsShorts(), x1 = IntVector.broadcast(Vec.I, p[xo + 4 * v + 1]).reinterpretAsShorts();
                    ShortVector x2 = IntVector.broadcast(Vec.I, p[xo + 4 * v + 2]).reinterpretAsShorts(), x3 = IntVector.broadcast(Vec.I, p[xo + 4 * v + 3]).reinterpretAsShorts();
                    sA = sA.add(qA.and(0xf000f).or(h0A).reinterpretAsShorts().mul(x0)).add(qA.lanewise(LSHR, 8).and(0xf000f).or(h2A).reinterpretAsShorts().mul(x2));
                    tA = tA.add(qA.lanewise(LSHR, 4).and(0xf000f).or(h1A).reinterpretAsShorts().mul(x1)).add(qA.lanewise(LSHR, 12).and(0xf000f).or(h3A).reinterpretAsShorts().mul(x3));
                    sB = sB.add(qB.and(0xf000f).or(h0B).reinterpretAsShorts().mul(x0)).add(qB.lanewise(LSHR, 8).and(0xf000f).or(h2B).reinterpretAsShorts().mul(x2));
                    tB = tB.add(qB.lanewise(LSHR, 4).and(0xf000f).or(h1B).reinterpretAsShorts().mul(x1)).add(qB.lanewise(LSHR, 12).and(0xf000f).or(h3B).reinterpretAsShorts().mul(x3));
                }
                IntVector uA = sA.reinterpretAsInts(), vA = tA.reinterpretAsInts();
                IntVector uB = sB.reinterpretAsInts(), vB = tB.reinterpretAsInts();
                IntVector sumA = uA.lanewise(LSHL, 16).lanewise(ASHR, 16).add(uA.lanewise(ASHR, 16)).add(vA.lanewise(LSHL, 16).lanewise(ASHR, 16)).add(vA.lanewise(ASHR, 16));
                IntVector sumB = uB.lanewise(LSHL, 16).lanewise(ASHR, 16).add(uB.lanewise(ASHR, 16)).add(vB.lanewise(LSHL, 16).lanewise(ASHR, 16)).add(vB.lanewise(ASHR, 16));
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
            IntVector dhA = (IntVector) ShortVector.fromMemorySegment(Vec.S, w, baseA + D, ByteOrder.LITTLE_ENDIAN).convertShape(S2I, Vec.I, 0);
            IntVector dhB = (IntVector) ShortVector.fromMemorySegment(Vec.S, w, baseB + D, ByteOrder.LITTLE_ENDIAN).convertShape(S2I, Vec.I, 0);
            FloatVector dA = dhA.lanewise(LSHL, 13).and(0x8fffe000).reinterpretAsFloats().mul(0x1p112f); // Vec.finiteHalf
            FloatVector dB = dhB.lanewise(LSHL, 13).and(0x8fffe000).reinterpretAsFloats().mul(0x1p112f);
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
                IntVector h = IntVector.fromMemorySegment(Vec.I, w, base + H + j * 4L * G, ByteOrder.LITTLE_ENDIAN);
                ShortVector s0 = ShortVector.zero(GroupPlanar.SH), s1 = s0, s2 = s0, s3 = s0, t0 = s0, t1 = s0, t2 = s0, t3 = s0;
                for (int v = 0; v < 4; v++) {
                    IntVector q = IntVector.fromMemorySegment(Vec.I, w, sb + v * 4L * G, ByteOrder.LITTLE_ENDIAN);
                    IntVector hv = h.lanewise(LSHR, 4 * v);
                    ShortVector e0 = q.and(0xf000f).or(hv.lanewise(LSHL, 4).and(0x100010)).reinterpretAsShorts();
                    ShortVector e1 = q.lanewise(LSHR, 4).and(0xf000f).or(hv.lanewise(LSHL, 3).and(0x100010)).reinterpretAsShorts();
                    ShortVector e2 = q.lanewise(LSHR, 8).and(0xf000f).or(hv.lanewise(LSHL, 2).and(0x100010)).reinterpretAsShorts();
                    ShortVector e3 = q.lanewise(LSHR, 12).and(0xf000f).or(hv.lanewise(LSHL, 1).and(0x100010)).reinterpretAsShorts();
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
                IntVector u0 = s0.reinterpretAsInts(), v0 = t0.reinterpretAsInts();
                IntVector sum0 = u0.lanewise(LSHL, 16).lanewise(ASHR, 16).add(u0.lanewise(ASHR, 16)).add(v0.lanewise(LSHL, 16).lanewise(ASHR, 16)).add(v0.lanewise(ASHR, 16));
                float dx0 = Float.intBitsToFloat(p[x0 + 16]);
                fa0 = ((FloatVector) sum0.mul(sc).convert(I2F, 0)).fma(FloatVector.broadcast(Vec.F, dx0), fa0);
                fb0 = mn.fma(FloatVector.broadcast(Vec.F, dx0 * (p[x0 + 17] / -8)), fb0);
                IntVector u1 = s1.reinterpretAsInts(), v1 = t1.reinterpretAsInts();
                IntVector sum1 = u1.lanewise(LSHL, 16).lanewise(ASHR, 16).add(u1.lanewise(ASHR, 16)).add(v1.lanewise(LSHL, 16).lanewise(ASHR, 16)).add(v1.lanewise(ASHR, 16));
                float dx1 = Float.intBitsToFloat(p[x1 + 16]);
                fa1 = ((FloatVector) sum1.mul(sc).convert(I2F, 0)).fma(FloatVector.broadcast(Vec.F, dx1), fa1);
                fb1 = mn.fma(FloatVector.broadcast(Vec.F, dx1 * (p[x1 + 17] / -8)), fb1);
                IntVector u2 = s2.reinterpretAsInts(), v2 = t2.reinterpretAsInts();
                IntVector sum2 = u2.lanewise(LSHL, 16).lanewise(ASHR, 16).add(u2.lanewise(ASHR, 16)).add(v2.lanewise(LSHL, 16).lanewise(ASHR, 16)).add(v2.lanewise(ASHR, 16));
                float dx2 = Float.intBitsToFloat(p[x2 + 16]);
                fa2 = ((FloatVector) sum2.mul(sc).convert(I2F, 0)).fma(FloatVector.broadcast(Vec.F, dx2), fa2);
                fb2 = mn.fma(FloatVector.broadcast(Vec.F, dx2 * (p[x2 + 17] / -8)), fb2);
                IntVector u3 = s3.reinterpretAsInts(), v3 = t3.reinterpretAsInts();
                IntVector sum3 = u3.lanewise(LSHL, 16).lanewise(ASHR, 16).add(u3.lanewise(ASHR, 16)).add(v3.lanewise(LSHL, 16).lanewise(ASHR, 16)).add(v3.lanewise(ASHR, 16));
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
