package dev.shovel.ggml;

import static jdk.incubator.vector.VectorOperators.ASHR;
import static jdk.incubator.vector.VectorOperators.I2F;
import static jdk.incubator.vector.VectorOperators.LSHL;
import static jdk.incubator.vector.VectorOperators.LSHR;
import static jdk.incubator.vector.VectorOperators.S2I;
import static jdk.incubator.vector.VectorOperators.XOR;

import dev.shovel.gguf.GGMLType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;

/**
 * Grouped IQ4_XS: per group and 256-element block, each 32-element sub-block's nibbles as a grouped IQ4_NL block
 * (4 chunks of 4 bytes per row; byte i holds elements i and i + 16), then the 8 sub-block scales ls - 32 as signed
 * bytes (2 chunks), then the G fp16 d: 138 bytes per row and block, ggml's 136 with the scales unpacked.
 * <p>
 * Matvec multiplies Q4_0's prepared int8 activations: per sub-block j the sum S = sum kvalues_iq4nl[q] xq as
 * {@link PlanarIQ4_NL}'s kernel makes it (two products per 16-bit lane, widened), fa += float(sc_j S) dx; per block
 * acc += d fa. llama.cpp quantizes the activations as Q8_K, one float scale per 256; these have an fp16 scale per 32.
 */
final class PlanarIQ4_XS extends KGroupPlanar {
    /** Offsets in a group-block: scales, d; and its size. */
    private static final int SC = 128 * G, D = 136 * G, BB = 138 * G;
    static final PlanarIQ4_XS INSTANCE = new PlanarIQ4_XS();
    private static final ShortVector T = CodebookPlanar.table(IQ4_NL.KVALUES);

    private PlanarIQ4_XS() {}

    @Override public GGMLType type() { return GGMLType.IQ4_XS; }

    @Override int qsBytes() { return 16; }

    @Override int groupBlockBytes() { return BB; }

    @Override
    public boolean finiteScales(MemorySegment src, long rows, int n) {
        long blocks = rows * (n / QK_K);
        for (long b = 0; b < blocks; b++) if ((src.get(I16, b * IQ4_XS.BLOCK) & 0x7c00) == 0x7c00) return false;
        return true;
    }

    @Override
    public void pack(MemorySegment src, long rows, int n, MemorySegment dst, long r0, long r1) {
        int nb = n / QK_K;
        for (long r = r0; r < r1; r++) {
            int lane = (int) (r % G);
            for (int b = 0; b < nb; b++) {
                long blk = (r * nb + b) * IQ4_XS.BLOCK, base = base(nb, r, b);
                for (int j = 0; j < 8; j++) {
                    for (int v = 0; v < 4; v++) {
                        dst.set(TypeOps.I32, base + j * 16L * G + v * 4L * G + 4L * lane, src.get(TypeOps.I32, blk + IQ4_XS.QS + 16 * j + 4 * v));
                    }
                    dst.set(ValueLayout.JAVA_BYTE, base + SC + (j >> 2) * 4L * G + 4L * lane + (j & 3), (byte) IQ4_XS.scale(src, blk, j));
                }
                dst.set(I16, base + D + 2L * lane, src.get(I16, blk));
            }
        }
    }

    /** Sub-block j's scale ls - 32 of packed row s. */
    private static int scale(MemorySegment w, long base, long s, int j) {
        return w.get(ValueLayout.JAVA_BYTE, base + SC + (j >> 2) * 4L * G + 4 * (s % G) + (j & 3));
    }

    /** The nibble (0..15) of element e (0..31) of sub-block j of packed row s. */
    private static int nibble(MemorySegment w, long base, long s, int j, int e) {
        int i = e & 15;
        return KQuants.b(w, base + j * 16L * G + (i >> 2) * 4L * G + 4 * (s % G) + (i & 3)) >> 4 * (e >> 4) & 15;
    }

    @Override
    void row(PlanarMatrix m, int r, float[] out, int outOff) { // as ggml's dequantize: (d * (ls - 32)) * value
        MemorySegment w = m.data();
        int nb = m.n() / QK_K;
        long s = (long) m.first() + r;
        for (int b = 0; b < nb; b++) {
            long base = base(nb, s, b);
            float d = Float.float16ToFloat(w.get(I16, base + D + 2 * (s % G)));
            for (int j = 0; j < 8; j++) {
                float dl = d * scale(w, base, s, j);
                for (int e = 0; e < 32; e++) out[outOff + b * QK_K + 32 * j + e] = dl * IQ4_NL.KVALUES.value(nibble(w, base, s, j, e));
            }
        }
    }

    @Override
    float dot(MemorySegment w, int nb, long s, int[] p, int po) {
        float acc = 0;
        for (int b = 0; b < nb; b++) {
            long base = base(nb, s, b);
            float fa = 0;
            for (int j = 0; j < 8; j++) {
                int xo = po + (8 * b + j) * E, sum = 0;
                for (int v = 0; v < 4; v++) {
                    for (int k = 0; k < 4; k++) {
                        int pair = p[xo + 4 * v + k], e = PlanarQ4_0.element(v, k);
                        sum += IQ4_NL.KVALUES.value(nibble(w, base, s, j, e)) * (short) pair + IQ4_NL.KVALUES.value(nibble(w, base, s, j, e + 2)) * (pair >> 16);
                    }
                }
                fa = Math.fma((float) (scale(w, base, s, j) * sum), Float.intBitsToFloat(p[xo + 16]), fa);
            }
            acc = Math.fma(Float.float16ToFloat(w.get(I16, base + D + 2 * (s % G))), fa, acc);
        }
        return acc;
    }

    // Only the JDK's force-inlined vector calls below: helpers of ours past C2's node budget would box the vectors.

    @Override
    void group2(MemorySegment w, long ga, long gb, int nb, int[] p, int po, float[] out, int o) {
        if (gb == ga) { // a group alone (the GEMM's columns past its quads, a range's last group)
            group(w, ga, nb, p, po, out, o);
            return;
        }
        FloatVector accA = FloatVector.zero(Vec.F), accB = FloatVector.zero(Vec.F);
        for (int b = 0; b < nb; b++) {
            long baseA = ga + (long) b * BB;
            long baseB = gb + (long) b * BB;
            FloatVector faA = FloatVector.zero(Vec.F), faB = FloatVector.zero(Vec.F);
            for (int j = 0; j < 8; j++) {
                long sbA = baseA + j * 16L * G;
                long sbB = baseB + j * 16L * G;
                int xo = po + (8 * b + j) * E;
                IntVector uA = IntVector.zero(Vec.I), hA = uA, uB = uA, hB = uA;
                for (int v = 0; v < 4; v++) { // a loop: written out, both groups would not fit C1's registers
                    IntVector qA = IntVector.fromMemorySegment(Vec.I, w, sbA + v * 4L * G, ByteOrder.LITTLE_ENDIAN), qB = IntVector.fromMemorySegment(Vec.I, w, sbB + v * 4L * G, ByteOrder.LITTLE_ENDIAN);
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
                IntVector sumA = uA.sub(hA.lanewise(LSHL, 16)).add(hA).sub(8 << 15); // see PlanarQ8_0
                IntVector sumB = uB.sub(hB.lanewise(LSHL, 16)).add(hB).sub(8 << 15);
                IntVector scA = IntVector.fromMemorySegment(Vec.I, w, baseA + SC + (j >> 2) * 4L * G, ByteOrder.LITTLE_ENDIAN).lanewise(LSHL, 24 - 8 * (j & 3)).lanewise(ASHR, 24);
                IntVector scB = IntVector.fromMemorySegment(Vec.I, w, baseB + SC + (j >> 2) * 4L * G, ByteOrder.LITTLE_ENDIAN).lanewise(LSHL, 24 - 8 * (j & 3)).lanewise(ASHR, 24);
                FloatVector dx = FloatVector.broadcast(Vec.F, Float.intBitsToFloat(p[xo + 16]));
                faA = ((FloatVector) sumA.mul(scA).convert(I2F, 0)).fma(dx, faA);
                faB = ((FloatVector) sumB.mul(scB).convert(I2F, 0)).fma(dx, faB);
            }
            IntVector dhA = (IntVector) ShortVector.fromMemorySegment(Vec.S, w, baseA + D, ByteOrder.LITTLE_ENDIAN).convertShape(S2I, Vec.I, 0);
            IntVector dhB = (IntVector) ShortVector.fromMemorySegment(Vec.S, w, baseB + D, ByteOrder.LITTLE_ENDIAN).convertShape(S2I, Vec.I, 0);
            accA = dhA.lanewise(LSHL, 13).and(0x8fffe000).reinterpretAsFloats().mul(0x1p112f).fma(faA, accA); // Vec.finiteHalf
            accB = dhB.lanewise(LSHL, 13).and(0x8fffe000).reinterpretAsFloats().mul(0x1p112f).fma(faB, accB);
        }
        accA.intoArray(out, o);
        accB.intoArray(out, o + G);
    }

    /** One group: {@link #group2}'s sums and steps. */
    private void group(MemorySegment w, long g, int nb, int[] p, int po, float[] out, int o) {
        FloatVector acc = FloatVector.zero(Vec.F);
        for (int b = 0; b < nb; b++) {
            long base = g + (long) b * BB;
            FloatVector fa = FloatVector.zero(Vec.F);
            for (int j = 0; j < 8; j++) {
                long sb = base + j * 16L * G;
                int xo = po + (8 * b + j) * E;
                IntVector u = IntVector.zero(Vec.I), h = u;
                for (int v = 0; v < 4; v++) {
                    IntVector q = IntVector.fromMemorySegment(Vec.I, w, sb + v * 4L * G, ByteOrder.LITTLE_ENDIAN);
                    ShortVector x0 = IntVector.broadcast(Vec.I, p[xo + 4 * v]).reinterpretAsShorts(), x1 = IntVector.broadcast(Vec.I, p[xo + 4 * v + 1]).reinterpretAsShorts();
                    ShortVector x2 = IntVector.broadcast(Vec.I, p[xo + 4 * v + 2]).reinterpretAsShorts(), x3 = IntVector.broadcast(Vec.I, p[xo + 4 * v + 3]).reinterpretAsShorts();
                    IntVector a = q.and(0xf000f).reinterpretAsShorts().selectFrom(T).mul(x0).add(q.lanewise(LSHR, 4).and(0xf000f).reinterpretAsShorts().selectFrom(T).mul(x1)).reinterpretAsInts();
                    IntVector c = q.lanewise(LSHR, 8).and(0xf000f).reinterpretAsShorts().selectFrom(T).mul(x2).add(q.lanewise(LSHR, 12).and(0xf000f).reinterpretAsShorts().selectFrom(T).mul(x3)).reinterpretAsInts();
                    u = u.add(a.lanewise(XOR, 0x8000)).add(c.lanewise(XOR, 0x8000));
                    h = h.add(a.lanewise(ASHR, 16)).add(c.lanewise(ASHR, 16));
                }
                IntVector sum = u.sub(h.lanewise(LSHL, 16)).add(h).sub(8 << 15); // see PlanarQ8_0
                IntVector sc = IntVector.fromMemorySegment(Vec.I, w, base + SC + (j >> 2) * 4L * G, ByteOrder.LITTLE_ENDIAN).lanewise(LSHL, 24 - 8 * (j & 3)).lanewise(ASHR, 24);
                fa = ((FloatVector) sum.mul(sc).convert(I2F, 0)).fma(FloatVector.broadcast(Vec.F, Float.intBitsToFloat(p[xo + 16])), fa);
            }
            IntVector dh = (IntVector) ShortVector.fromMemorySegment(Vec.S, w, base + D, ByteOrder.LITTLE_ENDIAN).convertShape(S2I, Vec.I, 0);
            FloatVector d = dh.lanewise(LSHL, 13).and(0x8fffe000).reinterpretAsFloats().mul(0x1p112f); // Vec.finiteHalf
            acc = d.fma(fa, acc);
        }
        acc.intoArray(out, o);
    }

    @Override
    void group4c(MemorySegment w, long g, int nb, int[] p, int po, int cs, float[] out, int o) {
        FloatVector acc0 = FloatVector.zero(Vec.F), acc1 = acc0, acc2 = acc0, acc3 = acc0;
        for (int b = 0; b < nb; b++) {
            long base = g + (long) b * BB;
            FloatVector fa0 = FloatVector.zero(Vec.F), fa1 = fa0, fa2 = fa0, fa3 = fa0;
            for (int j = 0; j < 8; j++) {
                long sb = base + j * 16L * G;
                int x0 = po + (8 * b + j) * E, x1 = x0 + cs, x2 = x1 + cs, x3 = x2 + cs;
                IntVector u0 = IntVector.zero(Vec.I), u1 = u0, u2 = u0, u3 = u0, h0 = u0, h1 = u0, h2 = u0, h3 = u0;
                for (int v = 0; v < 4; v++) {
                    IntVector q = IntVector.fromMemorySegment(Vec.I, w, sb + v * 4L * G, ByteOrder.LITTLE_ENDIAN);
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
                IntVector sc = IntVector.fromMemorySegment(Vec.I, w, base + SC + (j >> 2) * 4L * G, ByteOrder.LITTLE_ENDIAN).lanewise(LSHL, 24 - 8 * (j & 3)).lanewise(ASHR, 24);
                IntVector sum0 = u0.sub(h0.lanewise(LSHL, 16)).add(h0).sub(8 << 15);
                fa0 = ((FloatVector) sum0.mul(sc).convert(I2F, 0)).fma(FloatVector.broadcast(Vec.F, Float.intBitsToFloat(p[x0 + 16])), fa0);
                IntVector sum1 = u1.sub(h1.lanewise(LSHL, 16)).add(h1).sub(8 << 15);
                fa1 = ((FloatVector) sum1.mul(sc).convert(I2F, 0)).fma(FloatVector.broadcast(Vec.F, Float.intBitsToFloat(p[x1 + 16])), fa1);
                IntVector sum2 = u2.sub(h2.lanewise(LSHL, 16)).add(h2).sub(8 << 15);
                fa2 = ((FloatVector) sum2.mul(sc).convert(I2F, 0)).fma(FloatVector.broadcast(Vec.F, Float.intBitsToFloat(p[x2 + 16])), fa2);
                IntVector sum3 = u3.sub(h3.lanewise(LSHL, 16)).add(h3).sub(8 << 15);
                fa3 = ((FloatVector) sum3.mul(sc).convert(I2F, 0)).fma(FloatVector.broadcast(Vec.F, Float.intBitsToFloat(p[x3 + 16])), fa3);
            }
            IntVector dh = (IntVector) ShortVector.fromMemorySegment(Vec.S, w, base + D, ByteOrder.LITTLE_ENDIAN).convertShape(S2I, Vec.I, 0);
            FloatVector d = dh.lanewise(LSHL, 13).and(0x8fffe000).reinterpretAsFloats().mul(0x1p112f); // Vec.finiteHalf
            acc0 = d.fma(fa0, acc0);
            acc1 = d.fma(fa1, acc1);
            acc2 = d.fma(fa2, acc2);
            acc3 = d.fma(fa3, acc3);
        }
        acc0.intoArray(out, o + 0 * G);
        acc1.intoArray(out, o + 1 * G);
        acc2.intoArray(out, o + 2 * G);
        acc3.intoArray(out, o + 3 * G);
    }
}
