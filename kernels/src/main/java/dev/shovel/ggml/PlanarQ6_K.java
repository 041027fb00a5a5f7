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
 * Grouped Q6_K: {@link GroupPlanar#G} rows per group, one per vector lane, in ggml's 210 bytes per row and 256-block.
 * Per 32-element block: the low nibbles as a grouped Q4_0 block (4 chunks; byte i holds elements i and i + 16),
 * then two ints per row of high 2-bit fields, placed so one shift and mask bring them beside the nibble each
 * extraction takes (chunks 0 and 2 at bits 4 + 2k, chunks 1 and 3 at {0, 2, 12, 14}[k], +16 for the upper short);
 * after the 8 blocks the 16 int8 scales (4 chunks) and the G fp16 d.
 * <p>
 * Matvec multiplies Q4_0's prepared int8 activations by q - 32: per block the even extractions are elements 0..15
 * (scale 2j), the odd ones 16..31 (scale 2j + 1), each summed in 16-bit lanes (8 products of at most 32 * 127), then
 * fa += float(sc0 S0 + sc1 S1) dx; per 256-block acc += d fa. The GEMM runs the same steps for 4 batch columns per pass.
 */
final class PlanarQ6_K extends KGroupPlanar {
    static final PlanarQ6_K INSTANCE = new PlanarQ6_K();
    /** Bytes per 32-block, offsets of the scales and d in a group-block, and its size. */
    private static final int B32 = 24 * G, SC = 192 * G, D = 208 * G, BB = 210 * G;
    /** Bit of the high field of extraction k in the lower short, for even and odd chunks. */
    private static final int[] EVEN = {4, 6, 8, 10}, ODD = {0, 2, 12, 14};

    @Override public GGMLType type() { return GGMLType.Q6_K; }

    @Override int groupBlockBytes() { return BB; }

    @Override int qsBytes() { return 24; }

    @Override
    public boolean finiteScales(MemorySegment src, long rows, int n) {
        long blocks = rows * (n / QK_K);
        for (long b = 0; b < blocks; b++) if ((src.get(I16, b * Q6_K.BLOCK + Q6_K.D) & 0x7c00) == 0x7c00) return false;
        return true;
    }

    /** The 6-bit value (0..63) of element e of the ggml block at {@code bo}. */
    private static int q6(MemorySegment w, long bo, int e) {
        int h = e >> 7, l = e & 31, part = (e & 127) >> 5; // part: 0 a-low, 1 c-low, 2 a-high, 3 c-high
        int a = KQuants.b(w, bo + 64 * h + 32 * (part & 1) + l), hh = KQuants.b(w, bo + Q6_K.QH + 32 * h + l);
        return (part < 2 ? a & 15 : a >> 4) | (hh >> 2 * part & 3) << 4;
    }

    @Override
    public void pack(MemorySegment src, long rows, int n, MemorySegment dst, long r0, long r1) {
        int nb = n / QK_K;
        int[] q = new int[QK_K];
        for (long r = r0; r < r1; r++) {
            int lane = (int) (r % G);
            for (int b = 0; b < nb; b++) {
                long bo = (r * nb + b) * Q6_K.BLOCK, base = base(nb, r, b);
                for (int e = 0; e < QK_K; e++) q[e] = q6(src, bo, e);
                for (int j = 0; j < 8; j++) {
                    long blk = base + (long) j * B32;
                    for (int i = 0; i < 16; i++) {
                        int lo = q[32 * j + i] & 15, hi = q[32 * j + i + 16] & 15;
                        dst.set(ValueLayout.JAVA_BYTE, blk + (i >> 2) * 4L * G + 4L * lane + (i & 3), (byte) (lo | hi << 4));
                    }
                    int[] hw = new int[2];
                    for (int v = 0; v < 4; v++) {
                        for (int k = 0; k < 4; k++) {
                            int e = 32 * j + PlanarQ4_0.element(v, k), at = (v & 1) == 0 ? EVEN[k] : ODD[k];
                            hw[v >> 1] |= (q[e] >> 4) << at | (q[e + 2] >> 4) << at + 16;
                        }
                    }
                    for (int c = 0; c < 2; c++) dst.set(TypeOps.I32, blk + 16L * G + c * 4L * G + 4L * lane, hw[c]);
                }
                for (int is = 0; is < 16; is++) dst.set(ValueLayout.JAVA_BYTE, base + SC + (is >> 2) * 4L * G + 4L * lane + (is & 3), src.get(ValueLayout.JAVA_BYTE, bo + Q6_K.SC + is));
                dst.set(I16, base + D + 2L * lane, src.get(I16, bo + Q6_K.D));
            }
        }
    }

    /** The 6-bit value of element e (0..31) of block j of packed row s, from the grouped layout. */
    private static int value(MemorySegment w, long base, long s, int j, int e) {
        long blk = base + (long) j * B32;
        int i = e & 15, lane = (int) (s % G);
        int nib = KQuants.b(w, blk + (i >> 2) * 4L * G + 4L * lane + (i & 3)) >> 4 * (e >> 4) & 15;
        int v = i >> 2, k = 2 * (i & 1) + (e >> 4), upper = (i & 2) != 0 ? 16 : 0; // element(v, k) (+2 for the upper short)
        int hw = w.get(TypeOps.I32, blk + 16L * G + (v >> 1) * 4L * G + 4L * lane);
        return nib | (hw >>> ((v & 1) == 0 ? EVEN[k] : ODD[k]) + upper & 3) << 4;
    }

    private static int scale(MemorySegment w, long base, long s, int is) {
        return w.get(ValueLayout.JAVA_BYTE, base + SC + (is >> 2) * 4L * G + 4 * (s % G) + (is & 3));
    }

    @Override
    void row(PlanarMatrix m, int r, float[] out, int outOff) { // as ggml's dequantize: d * sc * (q - 32)
        MemorySegment w = m.data();
        int nb = m.n() / QK_K;
        long s = (long) m.first() + r;
        for (int b = 0; b < nb; b++) {
            long base = base(nb, s, b);
            float d = Float.float16ToFloat(w.get(I16, base + D + 2 * (s % G)));
            for (int e = 0; e < QK_K; e++) out[outOff + b * QK_K + e] = d * scale(w, base, s, e >> 4) * (value(w, base, s, e >> 5, e & 31) - 32);
        }
    }

    @Override
    float dot(MemorySegment w, int nb, long s, int[] p, int po) {
        float acc = 0;
        for (int b = 0; b < nb; b++) {
            long base = base(nb, s, b);
            float fa = 0;
            for (int j = 0; j < 8; j++) {
                int xo = po + (8 * b + j) * E, s0 = 0, s1 = 0;
                for (int v = 0; v < 4; v++) {
                    for (int k = 0; k < 4; k++) {
                        int pair = p[xo + 4 * v + k], e = PlanarQ4_0.element(v, k);
                        int prod = (value(w, base, s, j, e) - 32) * (short) pair + (value(w, base, s, j, e + 2) - 32) * (pair >> 16);
                        if ((k & 1) == 0) s0 += prod;
                        else s1 += prod;
                    }
                }
                fa = Math.fma((float) (scale(w, base, s, 2 * j) * s0 + scale(w, base, s, 2 * j + 1) * s1), Float.intBitsToFloat(p[xo + 16]), fa);
            }
            acc = Math.fma(Float.float16ToFloat(w.get(I16, base + D + 2 * (s % G))), fa, acc);
        }
        return acc;
    }

    // Only the JDK's force-inlined vector calls below: helpers of ours past C2's node budget would box the vectors.

    @Override
    void group2(MemorySegment w, long ga, long gb, int nb, int[] p, int po, float[] out, int o) { // in lockstep: two load streams
        FloatVector accA = FloatVector.zero(Vec.F), accB = FloatVector.zero(Vec.F);
        for (int b = 0; b < nb; b++) {
            long baseA = ga + (long) b * BB;
            long baseB = gb + (long) b * BB;
            FloatVector faA = FloatVector.zero(Vec.F), faB = FloatVector.zero(Vec.F);
            for (int j = 0; j < 8; j++) {
                long bbA = baseA + (long) j * B32;
                long bbB = baseB + (long) j * B32;
                int xo = po + (8 * b + j) * E;
                ShortVector sA = ShortVector.zero(GroupPlanar.SH), tA = sA, sB = sA, tB = sA;
                for (int u = 0; u < 2; u++) { // chunks 2u (even fields) and 2u + 1 (odd fields) share one int of high bits
                    IntVector hwA = IntVector.fromMemorySegment(Vec.I, w, bbA + 16L * G + u * 4L * G, ByteOrder.LITTLE_ENDIAN);
                    IntVector hwB = IntVector.fromMemorySegment(Vec.I, w, bbB + 16L * G + u * 4L * G, ByteOrder.LITTLE_ENDIAN);
                    IntVector qeA = IntVector.fromMemorySegment(Vec.I, w, bbA + 2 * u * 4L * G, ByteOrder.LITTLE_ENDIAN);
                    IntVector qeB = IntVector.fromMemorySegment(Vec.I, w, bbB + 2 * u * 4L * G, ByteOrder.LITTLE_ENDIAN);
                    IntVector qoA = IntVector.fromMemorySegment(Vec.I, w, bbA + (2 * u + 1) * 4L * G, ByteOrder.LITTLE_ENDIAN);
                    IntVector qoB = IntVector.fromMemorySegment(Vec.I, w, bbB + (2 * u + 1) * 4L * G, ByteOrder.LITTLE_ENDIAN);
                    int xe = xo + 8 * u, xd = xe + 4;
                    ShortVector x0 = IntVector.broadcast(Vec.I, p[xe]).reinterpretAsShorts(), x1 = IntVector.broadcast(Vec.I, p[xe + 1]).reinterpretAsShorts();
                    ShortVector x2 = IntVector.broadcast(Vec.I, p[xe + 2]).reinterpretAsShorts(), x3 = IntVector.broadcast(Vec.I, p[xe + 3]).reinterpretAsShorts();
                    sA = sA.add(qeA.and(0xf000f).or(hwA.and(0x300030)).reinterpretAsShorts().sub((short) 32).mul(x0));
                    sB = sB.add(qeB.and(0xf000f).or(hwB.and(0x300030)).reinterpretAsShorts().sub((short) 32).mul(x0));
                    tA = tA.add(qeA.lanewise(LSHR, 4).and(0xf000f).or(hwA.lanewise(LSHR, 2).and(0x300030)).reinterpretAsShorts().sub((short) 32).mul(x1));
                    tB = tB.add(qeB.lanewise(LSHR, 4).and(0xf000f).or(hwB.lanewise(LSHR, 2).and(0x300030)).reinterpretAsShorts().sub((short) 32).mul(x1));
                    sA = sA.add(qeA.lanewise(LSHR, 8).and(0xf000f).or(hwA.lanewise(LSHR, 4).and(0x300030)).reinterpretAsShorts().sub((short) 32).mul(x2));
                    sB = sB.add(qeB.lanewise(LSHR, 8).and(0xf000f).or(hwB.lanewise(LSHR, 4).and(0x300030)).reinterpretAsShorts().sub((short) 32).mul(x2));
                    tA = tA.add(qeA.lanewise(LSHR, 12).and(0xf000f).or(hwA.lanewise(LSHR, 6).and(0x300030)).reinterpretAsShorts().sub((short) 32).mul(x3));
                    tB = tB.add(qeB.lanewise(LSHR, 12).and(0xf000f).or(hwB.lanewise(LSHR, 6).and(0x300030)).reinterpretAsShorts().sub((short) 32).mul(x3));
                    ShortVector y0 = IntVector.broadcast(Vec.I, p[xd]).reinterpretAsShorts(), y1 = IntVector.broadcast(Vec.I, p[xd + 1]).reinterpretAsShorts();
                    ShortVector y2 = IntVector.broadcast(Vec.I, p[xd + 2]).reinterpretAsShorts(), y3 = IntVector.broadcast(Vec.I, p[xd + 3]).reinterpretAsShorts();
                    sA = sA.add(qoA.and(0xf000f).or(hwA.lanewise(LSHL, 4).and(0x300030)).reinterpretAsShorts().sub((short) 32).mul(y0));
                    sB = sB.add(qoB.and(0xf000f).or(hwB.lanewise(LSHL, 4).and(0x300030)).reinterpretAsShorts().sub((short) 32).mul(y0));
                    tA = tA.add(qoA.lanewise(LSHR, 4).and(0xf000f).or(hwA.lanewise(LSHL, 2).and(0x300030)).reinterpretAsShorts().sub((short) 32).mul(y1));
                    tB = tB.add(qoB.lanewise(LSHR, 4).and(0xf000f).or(hwB.lanewise(LSHL, 2).and(0x300030)).reinterpretAsShorts().sub((short) 32).mul(y1));
                    sA = sA.add(qoA.lanewise(LSHR, 8).and(0xf000f).or(hwA.lanewise(LSHR, 8).and(0x300030)).reinterpretAsShorts().sub((short) 32).mul(y2));
                    sB = sB.add(qoB.lanewise(LSHR, 8).and(0xf000f).or(hwB.lanewise(LSHR, 8).and(0x300030)).reinterpretAsShorts().sub((short) 32).mul(y2));
                    tA = tA.add(qoA.lanewise(LSHR, 12).and(0xf000f).or(hwA.lanewise(LSHR, 10).and(0x300030)).reinterpretAsShorts().sub((short) 32).mul(y3));
                    tB = tB.add(qoB.lanewise(LSHR, 12).and(0xf000f).or(hwB.lanewise(LSHR, 10).and(0x300030)).reinterpretAsShorts().sub((short) 32).mul(y3));
                }
                IntVector usA = sA.reinterpretAsInts(), utA = tA.reinterpretAsInts();
                IntVector usB = sB.reinterpretAsInts(), utB = tB.reinterpretAsInts();
                IntVector s0A = usA.lanewise(LSHL, 16).lanewise(ASHR, 16).add(usA.lanewise(ASHR, 16));
                IntVector s0B = usB.lanewise(LSHL, 16).lanewise(ASHR, 16).add(usB.lanewise(ASHR, 16));
                IntVector s1A = utA.lanewise(LSHL, 16).lanewise(ASHR, 16).add(utA.lanewise(ASHR, 16));
                IntVector s1B = utB.lanewise(LSHL, 16).lanewise(ASHR, 16).add(utB.lanewise(ASHR, 16));
                IntVector scsA = IntVector.fromMemorySegment(Vec.I, w, baseA + SC + (j >> 1) * 4L * G, ByteOrder.LITTLE_ENDIAN);
                IntVector scsB = IntVector.fromMemorySegment(Vec.I, w, baseB + SC + (j >> 1) * 4L * G, ByteOrder.LITTLE_ENDIAN);
                IntVector sc0A = scsA.lanewise(LSHL, 24 - 16 * (j & 1)).lanewise(ASHR, 24), sc1A = scsA.lanewise(LSHL, 16 - 16 * (j & 1)).lanewise(ASHR, 24);
                IntVector sc0B = scsB.lanewise(LSHL, 24 - 16 * (j & 1)).lanewise(ASHR, 24), sc1B = scsB.lanewise(LSHL, 16 - 16 * (j & 1)).lanewise(ASHR, 24);
                FloatVector dx = FloatVector.broadcast(Vec.F, Float.intBitsToFloat(p[xo + 16]));
                faA = ((FloatVector) s0A.mul(sc0A).add(s1A.mul(sc1A)).convert(I2F, 0)).fma(dx, faA);
                faB = ((FloatVector) s0B.mul(sc0B).add(s1B.mul(sc1B)).convert(I2F, 0)).fma(dx, faB);
            }
            IntVector hA = (IntVector) ShortVector.fromMemorySegment(Vec.S, w, baseA + D, ByteOrder.LITTLE_ENDIAN).convertShape(S2I, Vec.I, 0);
            IntVector hB = (IntVector) ShortVector.fromMemorySegment(Vec.S, w, baseB + D, ByteOrder.LITTLE_ENDIAN).convertShape(S2I, Vec.I, 0);
            accA = hA.lanewise(LSHL, 13).and(0x8fffe000).reinterpretAsFloats().mul(0x1p112f).fma(faA, accA); // Vec.finiteHalf
            accB = hB.lanewise(LSHL, 13).and(0x8fffe000).reinterpretAsFloats().mul(0x1p112f).fma(faB, accB);
        }
        accA.intoArray(out, o);
        accB.intoArray(out, o + G);
    }

    @Override
    void group4c(MemorySegment w, long g, int nb, int[] p, int po, int cs, float[] out, int o) {
        FloatVector acc0 = FloatVector.zero(Vec.F), acc1 = acc0, acc2 = acc0, acc3 = acc0;
        for (int b = 0; b < nb; b++) {
            long base = g + (long) b * BB;
            FloatVector fa0 = FloatVector.zero(Vec.F), fa1 = fa0, fa2 = fa0, fa3 = fa0;
            for (int j = 0; j < 8; j++) {
                long bb = base + (long) j * B32;
                int x0 = po + (8 * b + j) * E, x1 = x0 + cs, x2 = x1 + cs, x3 = x2 + cs;
                ShortVector s0 = ShortVector.zero(GroupPlanar.SH), s1 = s0, s2 = s0, s3 = s0, t0 = s0, t1 = s0, t2 = s0, t3 = s0;
                for (int u = 0; u < 2; u++) { // chunks 2u (even fields) and 2u + 1 (odd fields) share one int of high bits
                    IntVector hw = IntVector.fromMemorySegment(Vec.I, w, bb + 16L * G + u * 4L * G, ByteOrder.LITTLE_ENDIAN);
                    IntVector qe = IntVector.fromMemorySegment(Vec.I, w, bb + 2 * u * 4L * G, ByteOrder.LITTLE_ENDIAN);
                    IntVector qo = IntVector.fromMemorySegment(Vec.I, w, bb + (2 * u + 1) * 4L * G, ByteOrder.LITTLE_ENDIAN);
                    int xe = 8 * u, xd = xe + 4;
                    ShortVector e0 = qe.and(0xf000f).or(hw.and(0x300030)).reinterpretAsShorts().sub((short) 32);
                    s0 = s0.add(e0.mul(IntVector.broadcast(Vec.I, p[x0 + xe]).reinterpretAsShorts()));
                    s1 = s1.add(e0.mul(IntVector.broadcast(Vec.I, p[x1 + xe]).reinterpretAsShorts()));
                    s2 = s2.add(e0.mul(IntVector.broadcast(Vec.I, p[x2 + xe]).reinterpretAsShorts()));
                    s3 = s3.add(e0.mul(IntVector.broadcast(Vec.I, p[x3 + xe]).reinterpretAsShorts()));
                    ShortVector e1 = qe.lanewise(LSHR, 4).and(0xf000f).or(hw.lanewise(LSHR, 2).and(0x300030)).reinterpretAsShorts().sub((short) 32);
                    t0 = t0.add(e1.mul(IntVector.broadcast(Vec.I, p[x0 + xe + 1]).reinterpretAsShorts()));
                    t1 = t1.add(e1.mul(IntVector.broadcast(Vec.I, p[x1 + xe + 1]).reinterpretAsShorts()));
                    t2 = t2.add(e1.mul(IntVector.broadcast(Vec.I, p[x2 + xe + 1]).reinterpretAsShorts()));
                    t3 = t3.add(e1.mul(IntVector.broadcast(Vec.I, p[x3 + xe + 1]).reinterpretAsShorts()));
                    ShortVector e2 = qe.lanewise(LSHR, 8).and(0xf000f).or(hw.lanewise(LSHR, 4).and(0x300030)).reinterpretAsShorts().sub((short) 32);
                    s0 = s0.add(e2.mul(IntVector.broadcast(Vec.I, p[x0 + xe + 2]).reinterpretAsShorts()));
                    s1 = s1.add(e2.mul(IntVector.broadcast(Vec.I, p[x1 + xe + 2]).reinterpretAsShorts()));
                    s2 = s2.add(e2.mul(IntVector.broadcast(Vec.I, p[x2 + xe + 2]).reinterpretAsShorts()));
                    s3 = s3.add(e2.mul(IntVector.broadcast(Vec.I, p[x3 + xe + 2]).reinterpretAsShorts()));
                    ShortVector e3 = qe.lanewise(LSHR, 12).and(0xf000f).or(hw.lanewise(LSHR, 6).and(0x300030)).reinterpretAsShorts().sub((short) 32);
                    t0 = t0.add(e3.mul(IntVector.broadcast(Vec.I, p[x0 + xe + 3]).reinterpretAsShorts()));
                    t1 = t1.add(e3.mul(IntVector.broadcast(Vec.I, p[x1 + xe + 3]).reinterpretAsShorts()));
                    t2 = t2.add(e3.mul(IntVector.broadcast(Vec.I, p[x2 + xe + 3]).reinterpretAsShorts()));
                    t3 = t3.add(e3.mul(IntVector.broadcast(Vec.I, p[x3 + xe + 3]).reinterpretAsShorts()));
                    ShortVector e4 = qo.and(0xf000f).or(hw.lanewise(LSHL, 4).and(0x300030)).reinterpretAsShorts().sub((short) 32);
                    s0 = s0.add(e4.mul(IntVector.broadcast(Vec.I, p[x0 + xd]).reinterpretAsShorts()));
                    s1 = s1.add(e4.mul(IntVector.broadcast(Vec.I, p[x1 + xd]).reinterpretAsShorts()));
                    s2 = s2.add(e4.mul(IntVector.broadcast(Vec.I, p[x2 + xd]).reinterpretAsShorts()));
                    s3 = s3.add(e4.mul(IntVector.broadcast(Vec.I, p[x3 + xd]).reinterpretAsShorts()));
                    ShortVector e5 = qo.lanewise(LSHR, 4).and(0xf000f).or(hw.lanewise(LSHL, 2).and(0x300030)).reinterpretAsShorts().sub((short) 32);
                    t0 = t0.add(e5.mul(IntVector.broadcast(Vec.I, p[x0 + xd + 1]).reinterpretAsShorts()));
                    t1 = t1.add(e5.mul(IntVector.broadcast(Vec.I, p[x1 + xd + 1]).reinterpretAsShorts()));
                    t2 = t2.add(e5.mul(IntVector.broadcast(Vec.I, p[x2 + xd + 1]).reinterpretAsShorts()));
                    t3 = t3.add(e5.mul(IntVector.broadcast(Vec.I, p[x3 + xd + 1]).reinterpretAsShorts()));
                    ShortVector e6 = qo.lanewise(LSHR, 8).and(0xf000f).or(hw.lanewise(LSHR, 8).and(0x300030)).reinterpretAsShorts().sub((short) 32);
                    s0 = s0.add(e6.mul(IntVector.broadcast(Vec.I, p[x0 + xd + 2]).reinterpretAsShorts()));
                    s1 = s1.add(e6.mul(IntVector.broadcast(Vec.I, p[x1 + xd + 2]).reinterpretAsShorts()));
                    s2 = s2.add(e6.mul(IntVector.broadcast(Vec.I, p[x2 + xd + 2]).reinterpretAsShorts()));
                    s3 = s3.add(e6.mul(IntVector.broadcast(Vec.I, p[x3 + xd + 2]).reinterpretAsShorts()));
                    ShortVector e7 = qo.lanewise(LSHR, 12).and(0xf000f).or(hw.lanewise(LSHR, 10).and(0x300030)).reinterpretAsShorts().sub((short) 32);
                    t0 = t0.add(e7.mul(IntVector.broadcast(Vec.I, p[x0 + xd + 3]).reinterpretAsShorts()));
                    t1 = t1.add(e7.mul(IntVector.broadcast(Vec.I, p[x1 + xd + 3]).reinterpretAsShorts()));
                    t2 = t2.add(e7.mul(IntVector.broadcast(Vec.I, p[x2 + xd + 3]).reinterpretAsShorts()));
                    t3 = t3.add(e7.mul(IntVector.broadcast(Vec.I, p[x3 + xd + 3]).reinterpretAsShorts()));
                }
                IntVector scs = IntVector.fromMemorySegment(Vec.I, w, base + SC + (j >> 1) * 4L * G, ByteOrder.LITTLE_ENDIAN);
                IntVector sc0 = scs.lanewise(LSHL, 24 - 16 * (j & 1)).lanewise(ASHR, 24), sc1 = scs.lanewise(LSHL, 16 - 16 * (j & 1)).lanewise(ASHR, 24);
                IntVector us0 = s0.reinterpretAsInts(), ut0 = t0.reinterpretAsInts();
                IntVector a0 = us0.lanewise(LSHL, 16).lanewise(ASHR, 16).add(us0.lanewise(ASHR, 16)), b0 = ut0.lanewise(LSHL, 16).lanewise(ASHR, 16).add(ut0.lanewise(ASHR, 16));
                fa0 = ((FloatVector) a0.mul(sc0).add(b0.mul(sc1)).convert(I2F, 0)).fma(FloatVector.broadcast(Vec.F, Float.intBitsToFloat(p[x0 + 16])), fa0);
                IntVector us1 = s1.reinterpretAsInts(), ut1 = t1.reinterpretAsInts();
                IntVector a1 = us1.lanewise(LSHL, 16).lanewise(ASHR, 16).add(us1.lanewise(ASHR, 16)), b1 = ut1.lanewise(LSHL, 16).lanewise(ASHR, 16).add(ut1.lanewise(ASHR, 16));
                fa1 = ((FloatVector) a1.mul(sc0).add(b1.mul(sc1)).convert(I2F, 0)).fma(FloatVector.broadcast(Vec.F, Float.intBitsToFloat(p[x1 + 16])), fa1);
                IntVector us2 = s2.reinterpretAsInts(), ut2 = t2.reinterpretAsInts();
                IntVector a2 = us2.lanewise(LSHL, 16).lanewise(ASHR, 16).add(us2.lanewise(ASHR, 16)), b2 = ut2.lanewise(LSHL, 16).lanewise(ASHR, 16).add(ut2.lanewise(ASHR, 16));
                fa2 = ((FloatVector) a2.mul(sc0).add(b2.mul(sc1)).convert(I2F, 0)).fma(FloatVector.broadcast(Vec.F, Float.intBitsToFloat(p[x2 + 16])), fa2);
                IntVector us3 = s3.reinterpretAsInts(), ut3 = t3.reinterpretAsInts();
                IntVector a3 = us3.lanewise(LSHL, 16).lanewise(ASHR, 16).add(us3.lanewise(ASHR, 16)), b3 = ut3.lanewise(LSHL, 16).lanewise(ASHR, 16).add(ut3.lanewise(ASHR, 16));
                fa3 = ((FloatVector) a3.mul(sc0).add(b3.mul(sc1)).convert(I2F, 0)).fma(FloatVector.broadcast(Vec.F, Float.intBitsToFloat(p[x3 + 16])), fa3);
            }
            IntVector h = (IntVector) ShortVector.fromMemorySegment(Vec.S, w, base + D, ByteOrder.LITTLE_ENDIAN).convertShape(S2I, Vec.I, 0);
            FloatVector d = h.lanewise(LSHL, 13).and(0x8fffe000).reinterpretAsFloats().mul(0x1p112f); // Vec.finiteHalf
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
