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
 * Grouped MXFP4: Q4_0's layout with kvalues_mxfp4 (2 * E2M1, |v| <= 12) for q - 8, and as scale the E8M0 half
 * 2^(e-128) stored as bf16 bits, exact for every e (its low 16 float bits are zero, subnormals e = 0, 1 included):
 * 18 bytes per row and block, ggml's 17 plus one. A block's 16 products per 16-bit lane, at most 12 * 127 each, fit
 * a short.
 */
final class PlanarMXFP4 extends CodebookPlanar {
    static final PlanarMXFP4 INSTANCE = new PlanarMXFP4();
    private static final ShortVector T = table(MXFP4.KVALUES);

    private PlanarMXFP4() { super(MXFP4.KVALUES); }

    @Override public GGMLType type() { return GGMLType.MXFP4; }

    @Override int srcBlock() { return MXFP4.BLOCK; }

    @Override int srcQs() { return 1; }

    @Override
    short scaleBits(MemorySegment src, long blk) { return (short) (Float.floatToRawIntBits(MXFP4.scale(KQuants.b(src, blk))) >>> 16); }

    @Override float d(short bits) { return Float.intBitsToFloat(bits << 16); }

    /** Every E8M0 half is finite (e = 255 gives 2^127). */
    @Override public boolean finiteScales(MemorySegment src, long rows, int n) { return true; }

    // Only the JDK's force-inlined vector calls below: helpers of ours past C2's node budget would box the vectors.

    @Override
    void group2(MemorySegment w, long ga, long gb, int nb, int[] p, int po, float[] out, int o) {
        FloatVector accA = FloatVector.zero(Vec.F), accB = FloatVector.zero(Vec.F);
        for (int b = 0; b < nb; b++) {
            long baseA = ga + (long) b * (18 * G);
            long baseB = gb + (long) b * (18 * G);
            int xo = po + b * E;
            ShortVector sA = ShortVector.zero(SH), tA = sA, sB = sA, tB = sA;
            for (int v = 0; v < 4; v++) { // a loop: written out, both groups would not fit C1's registers
                IntVector qA = IntVector.fromMemorySegment(Vec.I, w, baseA + v * 4L * G, ByteOrder.LITTLE_ENDIAN), qB = IntVector.fromMemorySegment(Vec.I, w, baseB + v * 4L * G, ByteOrder.LITTLE_ENDIAN);
                ShortVector x0 = IntVector.broadcast(Vec.I, p[xo + 4 * v]).reinterpretAsShorts(), x1 = IntVector.broadcast(Vec.I, p[xo + 4 * v + 1]).reinterpretAsShorts();
                ShortVector x2 = IntVector.broadcast(Vec.I, p[xo + 4 * v + 2]).reinterpretAsShorts(), x3 = IntVector.broadcast(Vec.I, p[xo + 4 * v + 3]).reinterpretAsShorts();
                sA = sA.add(qA.and(0xf000f).reinterpretAsShorts().selectFrom(T).mul(x0)).add(qA.lanewise(LSHR, 8).and(0xf000f).reinterpretAsShorts().selectFrom(T).mul(x2));
                tA = tA.add(qA.lanewise(LSHR, 4).and(0xf000f).reinterpretAsShorts().selectFrom(T).mul(x1)).add(qA.lanewise(LSHR, 12).and(0xf000f).reinterpretAsShorts().selectFrom(T).mul(x3));
                sB = sB.add(qB.and(0xf000f).reinterpretAsShorts().selectFrom(T).mul(x0)).add(qB.lanewise(LSHR, 8).and(0xf000f).reinterpretAsShorts().selectFrom(T).mul(x2));
                tB = tB.add(qB.lanewise(LSHR, 4).and(0xf000f).reinterpretAsShorts().selectFrom(T).mul(x1)).add(qB.lanewise(LSHR, 12).and(0xf000f).reinterpretAsShorts().selectFrom(T).mul(x3));
            }
            IntVector uA = sA.add(tA).reinterpretAsInts();
            IntVector uB = sB.add(tB).reinterpretAsInts();
            IntVector sumA = uA.lanewise(LSHL, 16).lanewise(ASHR, 16).add(uA.lanewise(ASHR, 16));
            IntVector sumB = uB.lanewise(LSHL, 16).lanewise(ASHR, 16).add(uB.lanewise(ASHR, 16));
            FloatVector dA = ((IntVector) ShortVector.fromMemorySegment(Vec.S, w, baseA + 16L * G, ByteOrder.LITTLE_ENDIAN).convertShape(S2I, Vec.I, 0)).lanewise(LSHL, 16).reinterpretAsFloats();
            FloatVector dB = ((IntVector) ShortVector.fromMemorySegment(Vec.S, w, baseB + 16L * G, ByteOrder.LITTLE_ENDIAN).convertShape(S2I, Vec.I, 0)).lanewise(LSHL, 16).reinterpretAsFloats();
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
            ShortVector s0 = ShortVector.zero(SH), s1 = s0, s2 = s0, s3 = s0, t0 = s0, t1 = s0, t2 = s0, t3 = s0;
            for (int v = 0; v < 4; v++) {
                IntVector q = IntVector.fromMemorySegment(Vec.I, w, base + v * 4L * G, ByteOrder.LITTLE_ENDIAN);
                ShortVector e0 = q.and(0xf000f).reinterpretAsShorts().selectFrom(T), e1 = q.lanewise(LSHR, 4).and(0xf000f).reinterpretAsShorts().selectFrom(T);
                ShortVector e2 = q.lanewise(LSHR, 8).and(0xf000f).reinterpretAsShorts().selectFrom(T), e3 = q.lanewise(LSHR, 12).and(0xf000f).reinterpretAsShorts().selectFrom(T);
                s0 = s0.add(e0.mul(IntVector.broadcast(Vec.I, p[x0 + 4 * v]).reinterpretAsShorts())).add(e2.mul(IntVector.broadcast(Vec.I, p[x0 + 4 * v + 2]).reinterpretAsShorts()));
                t0 = t0.add(e1.mul(IntVector.broadcast(Vec.I, p[x0 + 4 * v + 1]).reinterpretAsShorts())).add(e3.mul(IntVector.broadcast(Vec.I, p[x0 + 4 * v + 3]).reinterpretAsShorts()));
                s1 = s1.add(e0.mul(IntVector.broadcast(Vec.I, p[x1 + 4 * v]).reinterpretAsShorts())).add(e2.mul(IntVector.broadcast(Vec.I, p[x1 + 4 * v + 2]).reinterpretAsShorts()));
                t1 = t1.add(e1.mul(IntVector.broadcast(Vec.I, p[x1 + 4 * v + 1]).reinterpretAsShorts())).add(e3.mul(IntVector.broadcast(Vec.I, p[x1 + 4 * v + 3]).reinterpretAsShorts()));
                s2 = s2.add(e0.mul(IntVector.broadcast(Vec.I, p[x2 + 4 * v]).reinterpretAsShorts())).add(e2.mul(IntVector.broadcast(Vec.I, p[x2 + 4 * v + 2]).reinterpretAsShorts()));
                t2 = t2.add(e1.mul(IntVector.broadcast(Vec.I, p[x2 + 4 * v + 1]).reinterpretAsShorts())).add(e3.mul(IntVector.broadcast(Vec.I, p[x2 + 4 * v + 3]).reinterpretAsShorts()));
                s3 = s3.add(e0.mul(IntVector.broadcast(Vec.I, p[x3 + 4 * v]).reinterpretAsShorts())).add(e2.mul(IntVector.broadcast(Vec.I, p[x3 + 4 * v + 2]).reinterpretAsShorts()));
                t3 = t3.add(e1.mul(IntVector.broadcast(Vec.I, p[x3 + 4 * v + 1]).reinterpretAsShorts())).add(e3.mul(IntVector.broadcast(Vec.I, p[x3 + 4 * v + 3]).reinterpretAsShorts()));
            }
            FloatVector d = ((IntVector) ShortVector.fromMemorySegment(Vec.S, w, base + 16L * G, ByteOrder.LITTLE_ENDIAN).convertShape(S2I, Vec.I, 0)).lanewise(LSHL, 16).reinterpretAsFloats();
            IntVector u0 = s0.add(t0).reinterpretAsInts(), u1 = s1.add(t1).reinterpretAsInts(), u2 = s2.add(t2).reinterpretAsInts(), u3 = s3.add(t3).reinterpretAsInts();
            IntVector sum0 = u0.lanewise(LSHL, 16).lanewise(ASHR, 16).add(u0.lanewise(ASHR, 16));
            acc0 = ((FloatVector) sum0.convert(I2F, 0)).mul(Float.intBitsToFloat(p[x0 + 16])).fma(d, acc0);
            IntVector sum1 = u1.lanewise(LSHL, 16).lanewise(ASHR, 16).add(u1.lanewise(ASHR, 16));
            acc1 = ((FloatVector) sum1.convert(I2F, 0)).mul(Float.intBitsToFloat(p[x1 + 16])).fma(d, acc1);
            IntVector sum2 = u2.lanewise(LSHL, 16).lanewise(ASHR, 16).add(u2.lanewise(ASHR, 16));
            acc2 = ((FloatVector) sum2.convert(I2F, 0)).mul(Float.intBitsToFloat(p[x2 + 16])).fma(d, acc2);
            IntVector sum3 = u3.lanewise(LSHL, 16).lanewise(ASHR, 16).add(u3.lanewise(ASHR, 16));
            acc3 = ((FloatVector) sum3.convert(I2F, 0)).mul(Float.intBitsToFloat(p[x3 + 16])).fma(d, acc3);
        }
        acc0.intoArray(out, o + 0 * G);
        acc1.intoArray(out, o + 1 * G);
        acc2.intoArray(out, o + 2 * G);
        acc3.intoArray(out, o + 3 * G);
    }
}
