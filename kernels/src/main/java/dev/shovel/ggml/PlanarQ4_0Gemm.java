package dev.shovel.ggml;

import static jdk.incubator.vector.VectorOperators.ASHR;
import static jdk.incubator.vector.VectorOperators.I2F;
import static jdk.incubator.vector.VectorOperators.LSHL;
import static jdk.incubator.vector.VectorOperators.LSHR;
import static jdk.incubator.vector.VectorOperators.S2I;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Q4_0's GEMM on int8 activations, the batch form of {@link PlanarQ4_0#group}: a slice of blocks of two groups is
 * decoded once into 16-bit (nibble - 8) values, pairs in int lanes as the packed chunks hold them, then every
 * 4 batch columns multiply it with their prepared activation pairs. A block's 16 products per lane fit a short
 * (at most 8 * 127 each); per block the sums are widened and scaled in the order {@code group} uses, so a column's
 * results are bit for bit matvec's.
 */
final class PlanarQ4_0Gemm {
    private PlanarQ4_0Gemm() {}

    private static final int G = GroupPlanar.G, E = PlanarQ4_0.E;
    private static final VectorSpecies<Short> SH = GroupPlanar.SH;
    /** Blocks per decoded slice, and shorts per decoded group-block (16 chunk-nibble vectors). */
    private static final int KB = 8, BS = 16 * 2 * G;

    private static final class Scratch {
        final short[] buf = new short[2 * KB * BS];
        final float[] ds = new float[2 * KB * G], tmp = new float[2 * G];
        float[] park = new float[0];

        float[] park(int n) { return park.length >= n ? park : (park = new float[n]); }
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    static void gemm(PlanarQ4_0 t, PlanarMatrix m, int[] p, int batch, float[] out, int outStride, int r0, int r1) {
        int nb = m.n() / GroupPlanar.QK, first = m.first(), cs = nb * E, c4 = batch & ~3;
        long s0 = (long) first + r0, s1 = (long) first + r1, g1 = (s1 + G - 1) / G;
        MemorySegment w = m.data();
        long gbytes = (long) nb * 18 * G;
        Scratch sc = SCRATCH.get();
        float[] park = sc.park(2 * c4 * G);
        for (long g = s0 / G; g < g1; g += 2) {
            boolean tiled = g + 1 < g1 && c4 > 0;
            if (tiled) {
                Arrays.fill(park, 0, 2 * c4 * G, 0f);
                for (int b0 = 0; b0 < nb; b0 += KB) {
                    int kb = Math.min(KB, nb - b0);
                    for (int j = 0; j < 2; j++) {
                        for (int b = 0; b < kb; b++) decode(w, (g + j) * gbytes + (long) (b0 + b) * 18 * G, sc.buf, (j * KB + b) * BS, sc.ds, (j * KB + b) * G);
                    }
                    for (int c = 0; c < c4; c += 4) tile2x4(sc.buf, sc.ds, kb, b0, p, c * cs, cs, park, c * G, (c4 + c) * G);
                }
                for (int j = 0; j < 2; j++) {
                    for (int c = 0; c < c4; c++) GroupPlanar.put(park, (j * c4 + c) * G, g + j, s0, s1, first, out, c * outStride);
                }
            }
            long gb = Math.min(g + 1, g1 - 1);
            for (int c = tiled ? c4 : 0; c < batch; c++) { // columns past the 4-column tiles, or a group alone
                t.group2(w, g * gbytes, gb * gbytes, nb, p, c * cs, sc.tmp, 0);
                GroupPlanar.put(sc.tmp, 0, g, s0, s1, first, out, c * outStride);
                if (gb != g) GroupPlanar.put(sc.tmp, G, gb, s0, s1, first, out, c * outStride);
            }
        }
    }

    /** A group's block at {@code base}: its 16 nibble vectors (nibble - 8, chunk v nibble k at (4v + k) * 2G) and scales. */
    private static void decode(MemorySegment w, long base, short[] buf, int o, float[] ds, int dO) {
        IntVector q0 = IntVector.fromMemorySegment(Vec.I, w, base + 0L * G, ByteOrder.LITTLE_ENDIAN);
        q0.and(0xf000f).reinterpretAsShorts().sub((short) 8).intoArray(buf, o + 0 * 2 * G);
        q0.lanewise(LSHR, 4).and(0xf000f).reinterpretAsShorts().sub((short) 8).intoArray(buf, o + 1 * 2 * G);
        q0.lanewise(LSHR, 8).and(0xf000f).reinterpretAsShorts().sub((short) 8).intoArray(buf, o + 2 * 2 * G);
        q0.lanewise(LSHR, 12).and(0xf000f).reinterpretAsShorts().sub((short) 8).intoArray(buf, o + 3 * 2 * G);
        IntVector q1 = IntVector.fromMemorySegment(Vec.I, w, base + 4L * G, ByteOrder.LITTLE_ENDIAN);
        q1.and(0xf000f).reinterpretAsShorts().sub((short) 8).intoArray(buf, o + 4 * 2 * G);
        q1.lanewise(LSHR, 4).and(0xf000f).reinterpretAsShorts().sub((short) 8).intoArray(buf, o + 5 * 2 * G);
        q1.lanewise(LSHR, 8).and(0xf000f).reinterpretAsShorts().sub((short) 8).intoArray(buf, o + 6 * 2 * G);
        q1.lanewise(LSHR, 12).and(0xf000f).reinterpretAsShorts().sub((short) 8).intoArray(buf, o + 7 * 2 * G);
        IntVector q2 = IntVector.fromMemorySegment(Vec.I, w, base + 8L * G, ByteOrder.LITTLE_ENDIAN);
        q2.and(0xf000f).reinterpretAsShorts().sub((short) 8).intoArray(buf, o + 8 * 2 * G);
        q2.lanewise(LSHR, 4).and(0xf000f).reinterpretAsShorts().sub((short) 8).intoArray(buf, o + 9 * 2 * G);
        q2.lanewise(LSHR, 8).and(0xf000f).reinterpretAsShorts().sub((short) 8).intoArray(buf, o + 10 * 2 * G);
        q2.lanewise(LSHR, 12).and(0xf000f).reinterpretAsShorts().sub((short) 8).intoArray(buf, o + 11 * 2 * G);
        IntVector q3 = IntVector.fromMemorySegment(Vec.I, w, base + 12L * G, ByteOrder.LITTLE_ENDIAN);
        q3.and(0xf000f).reinterpretAsShorts().sub((short) 8).intoArray(buf, o + 12 * 2 * G);
        q3.lanewise(LSHR, 4).and(0xf000f).reinterpretAsShorts().sub((short) 8).intoArray(buf, o + 13 * 2 * G);
        q3.lanewise(LSHR, 8).and(0xf000f).reinterpretAsShorts().sub((short) 8).intoArray(buf, o + 14 * 2 * G);
        q3.lanewise(LSHR, 12).and(0xf000f).reinterpretAsShorts().sub((short) 8).intoArray(buf, o + 15 * 2 * G);
        IntVector h = (IntVector) ShortVector.fromMemorySegment(Vec.S, w, base + 16L * G, ByteOrder.LITTLE_ENDIAN).convertShape(S2I, Vec.I, 0);
        h.lanewise(LSHL, 13).and(0x8fffe000).reinterpretAsFloats().mul(0x1p112f).intoArray(ds, dO); // Vec.finiteHalf
    }

    // Only the JDK's force-inlined vector calls below: helpers of ours past C2's node budget would box the vectors.

    /** park[pa + c * G..] and park[pb + c * G..] += groups A and B times columns c = 0..3 (prepared at po + c * cs). */
    private static void tile2x4(short[] buf, float[] ds, int kb, int k0, int[] p, int po, int cs, float[] park, int pa, int pb) {
        FloatVector u0 = FloatVector.fromArray(Vec.F, park, pa + 0 * G), v0 = FloatVector.fromArray(Vec.F, park, pb + 0 * G);
        FloatVector u1 = FloatVector.fromArray(Vec.F, park, pa + 1 * G), v1 = FloatVector.fromArray(Vec.F, park, pb + 1 * G);
        FloatVector u2 = FloatVector.fromArray(Vec.F, park, pa + 2 * G), v2 = FloatVector.fromArray(Vec.F, park, pb + 2 * G);
        FloatVector u3 = FloatVector.fromArray(Vec.F, park, pa + 3 * G), v3 = FloatVector.fromArray(Vec.F, park, pb + 3 * G);
        for (int b = 0; b < kb; b++) {
            int xo = po + (k0 + b) * E, wo = b * BS;
            ShortVector sa0 = ShortVector.zero(SH), sb0 = ShortVector.zero(SH);
            ShortVector sa1 = ShortVector.zero(SH), sb1 = ShortVector.zero(SH);
            ShortVector sa2 = ShortVector.zero(SH), sb2 = ShortVector.zero(SH);
            ShortVector sa3 = ShortVector.zero(SH), sb3 = ShortVector.zero(SH);
            for (int i = 0; i < 16; i++) {
                ShortVector wa = ShortVector.fromArray(SH, buf, wo + i * 2 * G), wb = ShortVector.fromArray(SH, buf, KB * BS + wo + i * 2 * G);
                ShortVector x0 = IntVector.broadcast(Vec.I, p[xo + 0 * cs + i]).reinterpretAsShorts();
                sa0 = sa0.add(wa.mul(x0));
                sb0 = sb0.add(wb.mul(x0));
                ShortVector x1 = IntVector.broadcast(Vec.I, p[xo + 1 * cs + i]).reinterpretAsShorts();
                sa1 = sa1.add(wa.mul(x1));
                sb1 = sb1.add(wb.mul(x1));
                ShortVector x2 = IntVector.broadcast(Vec.I, p[xo + 2 * cs + i]).reinterpretAsShorts();
                sa2 = sa2.add(wa.mul(x2));
                sb2 = sb2.add(wb.mul(x2));
                ShortVector x3 = IntVector.broadcast(Vec.I, p[xo + 3 * cs + i]).reinterpretAsShorts();
                sa3 = sa3.add(wa.mul(x3));
                sb3 = sb3.add(wb.mul(x3));
            }
            FloatVector da = FloatVector.fromArray(Vec.F, ds, b * G), db = FloatVector.fromArray(Vec.F, ds, (KB + b) * G);
            float dx0 = Float.intBitsToFloat(p[xo + 0 * cs + 16]);
            IntVector ta0 = sa0.reinterpretAsInts();
            u0 = ((FloatVector) ta0.lanewise(LSHL, 16).lanewise(ASHR, 16).add(ta0.lanewise(ASHR, 16)).convert(I2F, 0)).mul(dx0).fma(da, u0);
            IntVector tb0 = sb0.reinterpretAsInts();
            v0 = ((FloatVector) tb0.lanewise(LSHL, 16).lanewise(ASHR, 16).add(tb0.lanewise(ASHR, 16)).convert(I2F, 0)).mul(dx0).fma(db, v0);
            float dx1 = Float.intBitsToFloat(p[xo + 1 * cs + 16]);
            IntVector ta1 = sa1.reinterpretAsInts();
            u1 = ((FloatVector) ta1.lanewise(LSHL, 16).lanewise(ASHR, 16).add(ta1.lanewise(ASHR, 16)).convert(I2F, 0)).mul(dx1).fma(da, u1);
            IntVector tb1 = sb1.reinterpretAsInts();
            v1 = ((FloatVector) tb1.lanewise(LSHL, 16).lanewise(ASHR, 16).add(tb1.lanewise(ASHR, 16)).convert(I2F, 0)).mul(dx1).fma(db, v1);
            float dx2 = Float.intBitsToFloat(p[xo + 2 * cs + 16]);
            IntVector ta2 = sa2.reinterpretAsInts();
            u2 = ((FloatVector) ta2.lanewise(LSHL, 16).lanewise(ASHR, 16).add(ta2.lanewise(ASHR, 16)).convert(I2F, 0)).mul(dx2).fma(da, u2);
            IntVector tb2 = sb2.reinterpretAsInts();
            v2 = ((FloatVector) tb2.lanewise(LSHL, 16).lanewise(ASHR, 16).add(tb2.lanewise(ASHR, 16)).convert(I2F, 0)).mul(dx2).fma(db, v2);
            float dx3 = Float.intBitsToFloat(p[xo + 3 * cs + 16]);
            IntVector ta3 = sa3.reinterpretAsInts();
            u3 = ((FloatVector) ta3.lanewise(LSHL, 16).lanewise(ASHR, 16).add(ta3.lanewise(ASHR, 16)).convert(I2F, 0)).mul(dx3).fma(da, u3);
            IntVector tb3 = sb3.reinterpretAsInts();
            v3 = ((FloatVector) tb3.lanewise(LSHL, 16).lanewise(ASHR, 16).add(tb3.lanewise(ASHR, 16)).convert(I2F, 0)).mul(dx3).fma(db, v3);
        }
        u0.intoArray(park, pa + 0 * G);
        v0.intoArray(park, pb + 0 * G);
        u1.intoArray(park, pa + 1 * G);
        v1.intoArray(park, pb + 1 * G);
        u2.intoArray(park, pa + 2 * G);
        v2.intoArray(park, pb + 2 * G);
        u3.intoArray(park, pa + 3 * G);
        v3.intoArray(park, pb + 3 * G);
    }
}
