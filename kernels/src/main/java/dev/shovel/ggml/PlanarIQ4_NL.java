package dev.shovel.ggml;

import static jdk.incubator.vector.VectorOperators.ASHR;
import static jdk.incubator.vector.VectorOperators.I2F;
import static jdk.incubator.vector.VectorOperators.LSHL;
import static jdk.incubator.vector.VectorOperators.LSHR;
import static jdk.incubator.vector.VectorOperators.S2I;
import static jdk.incubator.vector.VectorOperators.XOR;

import dev.shovel.gguf.GGMLType;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;

/**
 * Grouped IQ4_NL: Q4_0's layout and bytes with kvalues_iq4nl (-127..113) for q - 8. Products reach 127 * 127, so
 * only two fit a 16-bit lane: each chunk's four nibble positions make two such sums per lane, widened to ints as
 * {@link PlanarQ8_0} does (the low half biased by 2^15, the high halves summed apart).
 */
final class PlanarIQ4_NL extends CodebookPlanar {
    static final PlanarIQ4_NL INSTANCE = new PlanarIQ4_NL();
    private static final ShortVector T = table(IQ4_NL.KVALUES);

    private PlanarIQ4_NL() { super(IQ4_NL.KVALUES); }

    @Override public GGMLType type() { return GGMLType.IQ4_NL; }

    @Override float d(short bits) { return Float.float16ToFloat(bits); }

    // Only the JDK's force-inlined vector calls below: helpers of ours past C2's node budget would box the vectors.

    @Override
    void group2(MemorySegment w, long ga, long gb, int nb, int[] p, int po, float[] out, int o) {
        FloatVector accA = FloatVector.zero(Vec.F), accB = FloatVector.zero(Vec.F);
        for (int b = 0; b < nb; b++) {
            long baseA = ga + (long) b * (18 * G);
            long baseB = gb + (long) b * (18 * G);
            int xo = po + b * E;
            IntVector uA = IntVector.zero(Vec.I), hA = uA, uB = uA, hB = uA;
            for (int v = 0; v < 4; v++) { // a loop: written out, both groups would not fit C1's registers
                IntVector qA = IntVector.fromMemorySegment(Vec.I, w, baseA + v * 4L * G, ByteOrder.LITTLE_ENDIAN), qB = IntVector.fromMemorySegment(Vec.I, w, baseB + v * 4L * G, ByteOrder.LITTLE_ENDIAN);
                ShortVector x0 = IntVector.broadcast(Vec.I, p[xo + 4 * v]).reinterpretAsShorts(), x1 = IntVector.broadcast(Vec.I, p[xo + 4 * v + 1]).reinterpretAsShorts();
                ShortVector x2 = IntVector.broadcast(Vec.I, p[xo + 4 * v + 2]).reinterpretAsShorts(), x3 = IntVector.broadcast(Vec.I, p[xo + 4 * v + 3]).reinterpretAsShorts();
                IntVector aA = qA.and(0xf000f).reinterpretAsShorts().selectFrom(T).mul(x0).add(qA.lanewise(LSHR, 4).and(0xf000f).reinterpretAsShorts().selectFrom(T).mul(x1)).reinterpretAsInts();
                IntVector cA = qA.lanewise(LSHR, 8).and(0xf000f).reinterpretAsShorts().selectFrom(T).mul(x2).add(qA.lanewise(LSHR, 12).and(0xf000f).reinterpretAsShorts().selectFrom(T).mul(x3)).reinterpretAsInts();
                IntVector aB = qB.and(0xf000f).reinterpretAsShorts().selectFrom(T).mul(x0).add(qB.lanewise(LSHR, 4).and(0xf000f).reinterpretAsShorts().selectFrom(T).mul(x1)).reinterpretAsInts();
                IntVector cB = qB.lanewise(LSHR, 8).and(0xf000f).reinterpretAsShorts().selectFrom(T).mul(x2).add(qB.lanewise(LSHR, 12).and(0xf000f).reinterpretAsShorts().selectFrom(T).mul(x3)).reinterpretAsInts();
                uA = uA.add(aA.lanewise(XOR, 0x8000)).add(cA.lanewise(XOR, 0x8000));
                hA = hA.add(aA.lanewise(ASHR, 16)).add(cA.lanewise(ASHR, 16));
                uB = uB.add(aB.lanewise(XOR, 0x8000)).add(cB.lanewise(XOR, 0x8000));
                hB = hB.add(aB.lanewise(ASHR, 16)).add(cB.lanewise(ASHR, 16));
            }
            // u sums lo + 2^15 + 65536 hi over 8 terms, so lo + hi = u - 65535 h - 8 * 2^15 (see PlanarQ8_0)
            IntVector sumA = uA.sub(hA.lanewise(LSHL, 16)).add(hA).sub(8 << 15);
            IntVector sumB = uB.sub(hB.lanewise(LSHL, 16)).add(hB).sub(8 << 15);
            IntVector dhA = (IntVector) ShortVector.fromMemorySegment(Vec.S, w, baseA + 16L * G, ByteOrder.LITTLE_ENDIAN).convertShape(S2I, Vec.I, 0);
            IntVector dhB = (IntVector) ShortVector.fromMemorySegment(Vec.S, w, baseB + 16L * G, ByteOrder.LITTLE_ENDIAN).convertShape(S2I, Vec.I, 0);
            FloatVector dA = dhA.lanewise(LSHL, 13).and(0x8fffe000).reinterpretAsFloats().mul(0x1p112f); // Vec.finiteHalf
            FloatVector dB = dhB.lanewise(LSHL, 13).and(0x8fffe000).reinterpretAsFloats().mul(0x1p112f);
            float dx = Float.intBitsToFloat(p[xo + 16]);
            accA = ((FloatVector) sumA.convert(I2F, 0)).mul(dx).fma(dA, accA);
            accB = ((FloatVector) sumB.convert(I2F, 0)).mul(dx).fma(dB, accB);
        }
        accA.intoArray(out, o);
        accB.intoArray(out, o + G);
    }

    @Override
    void group4c(MemorySegment w, long g, int nb, int[] p, int po, int cs, float[] out, int o) {
        FloatVector acc0 = FloatVector.zero(Vec.F), acc1 = acc0, acc2 = acc0, acc3 = acc0;
        for (int b = 0; b < nb; b++) {
            long base = g + (long) b * (18 * G);
            int x0 = po + b * E, x1 = x0 + cs, x2 = x1 + cs, x3 = x2 + cs;
            IntVector u0 = IntVector.zero(Vec.I), u1 = u0, u2 = u0, u3 = u0, h0 = u0, h1 = u0, h2 = u0, h3 = u0;
            for (int v = 0; v < 4; v++) {
                IntVector q = IntVector.fromMemorySegment(Vec.I, w, base + v * 4L * G, ByteOrder.LITTLE_ENDIAN);
                ShortVector e0 = q.and(0xf000f).reinterpretAsShorts().selectFrom(T), e1 = q.lanewise(LSHR, 4).and(0xf000f).reinterpretAsShorts().selectFrom(T);
                ShortVector e2 = q.lanewise(LSHR, 8).and(0xf000f).reinterpretAsShorts().selectFrom(T), e3 = q.lanewise(LSHR, 12).and(0xf000f).reinterpretAsShorts().selectFrom(T);
                int k = 4 * v;
                IntVector a0 = e0.mul(IntVector.broadcast(Vec.I, p[x0 + k]).reinterpretAsShorts()).add(e1.mul(IntVector.broadcast(Vec.I, p[x0 + k + 1]).reinterpretAsShorts())).reinterpretAsInts();
                IntVector c0 = e2.mul(IntVector.broadcast(Vec.I, p[x0 + k + 2]).reinterpretAsShorts()).add(e3.mul(IntVector.broadcast(Vec.I, p[x0 + k + 3]).reinterpretAsShorts())).reinterpretAsInts();
                u0 = u0.add(a0.lanewise(XOR, 0x8000)).add(c0.lanewise(XOR, 0x8000));
                h0 = h0.add(a0.lanewise(ASHR, 16)).add(c0.lanewise(ASHR, 16));
                IntVector a1 = e0.mul(IntVector.broadcast(Vec.I, p[x1 + k]).reinterpretAsShorts()).add(e1.mul(IntVector.broadcast(Vec.I, p[x1 + k + 1]).reinterpretAsShorts())).reinterpretAsInts();
                IntVector c1 = e2.mul(IntVector.broadcast(Vec.I, p[x1 + k + 2]).reinterpretAsShorts()).add(e3.mul(IntVector.broadcast(Vec.I, p[x1 + k + 3]).reinterpretAsShorts())).reinterpretAsInts();
                u1 = u1.add(a1.lanewise(XOR, 0x8000)).add(c1.lanewise(XOR, 0x8000));
                h1 = h1.add(a1.lanewise(ASHR, 16)).add(c1.lanewise(ASHR, 16));
                IntVector a2 = e0.mul(IntVector.broadcast(Vec.I, p[x2 + k]).reinterpretAsShorts()).add(e1.mul(IntVector.broadcast(Vec.I, p[x2 + k + 1]).reinterpretAsShorts())).reinterpretAsInts();
                IntVector c2 = e2.mul(IntVector.broadcast(Vec.I, p[x2 + k + 2]).reinterpretAsShorts()).add(e3.mul(IntVector.broadcast(Vec.I, p[x2 + k + 3]).reinterpretAsShorts())).reinterpretAsInts();
                u2 = u2.add(a2.lanewise(XOR, 0x8000)).add(c2.lanewise(XOR, 0x8000));
                h2 = h2.add(a2.lanewise(ASHR, 16)).add(c2.lanewise(ASHR, 16));
                IntVector a3 = e0.mul(IntVector.broadcast(Vec.I, p[x3 + k]).reinterpretAsShorts()).add(e1.mul(IntVector.broadcast(Vec.I, p[x3 + k + 1]).reinterpretAsShorts())).reinterpretAsInts();
                IntVector c3 = e2.mul(IntVector.broadcast(Vec.I, p[x3 + k + 2]).reinterpretAsShorts()).add(e3.mul(IntVector.broadcast(Vec.I, p[x3 + k + 3]).reinterpretAsShorts())).reinterpretAsInts();
                u3 = u3.add(a3.lanewise(XOR, 0x8000)).add(c3.lanewise(XOR, 0x8000));
                h3 = h3.add(a3.lanewise(ASHR, 16)).add(c3.lanewise(ASHR, 16));
            }
            IntVector dh = (IntVector) ShortVector.fromMemorySegment(Vec.S, w, base + 16L * G, ByteOrder.LITTLE_ENDIAN).convertShape(S2I, Vec.I, 0);
            FloatVector d = dh.lanewise(LSHL, 13).and(0x8fffe000).reinterpretAsFloats().mul(0x1p112f); // Vec.finiteHalf
            IntVector sum0 = u0.sub(h0.lanewise(LSHL, 16)).add(h0).sub(8 << 15);
            acc0 = ((FloatVector) sum0.convert(I2F, 0)).mul(Float.intBitsToFloat(p[x0 + 16])).fma(d, acc0);
            IntVector sum1 = u1.sub(h1.lanewise(LSHL, 16)).add(h1).sub(8 << 15);
            acc1 = ((FloatVector) sum1.convert(I2F, 0)).mul(Float.intBitsToFloat(p[x1 + 16])).fma(d, acc1);
            IntVector sum2 = u2.sub(h2.lanewise(LSHL, 16)).add(h2).sub(8 << 15);
            acc2 = ((FloatVector) sum2.convert(I2F, 0)).mul(Float.intBitsToFloat(p[x2 + 16])).fma(d, acc2);
            IntVector sum3 = u3.sub(h3.lanewise(LSHL, 16)).add(h3).sub(8 << 15);
            acc3 = ((FloatVector) sum3.convert(I2F, 0)).mul(Float.intBitsToFloat(p[x3 + 16])).fma(d, acc3);
        }
        acc0.intoArray(out, o + 0 * G);
        acc1.intoArray(out, o + 1 * G);
        acc2.intoArray(out, o + 2 * G);
        acc3.intoArray(out, o + 3 * G);
    }
}
