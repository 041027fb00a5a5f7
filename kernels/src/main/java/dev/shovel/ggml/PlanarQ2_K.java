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
 * Grouped Q2_K: {@link GroupPlanar#G} rows per group, one per vector lane, in ggml's 84 bytes per row and 256-block.
 * Per 32-element block: two ints per row of 2-bit fields, placed as {@link PlanarQ3_K}'s low fields (extraction k of
 * chunk v at bits 2m and 16 + 2m of int v / 2, m = 4 (v % 2) + k); after the 8 blocks the 16 scale bytes (scale in the
 * low nibble, min in the high) in 4 chunks, then the G fp16 d and the G dmin.
 * <p>
 * Matvec multiplies Q4_0's prepared int8 activations by q (0..3): per block the even extractions are elements 0..15
 * (sub-block 2j), the odd ones 16..31 (2j + 1), each summed in 16-bit lanes, then fa += float(sc0 S0 + sc1 S1) dx and
 * fb += float(m0 X0 + m1 X1) dx with X the halves' sums of the int8 activations (prepared once per matmul); per 256-block acc += d fa - dmin fb.
 * The GEMM runs the same steps for 4 columns per pass.
 */
final class PlanarQ2_K extends KGroupPlanar {
    /** Bytes per 32-block, offsets of the scales, d and dmin in a group-block, and its size. */
    private static final int B32 = 8 * G, SC = 64 * G, D = 80 * G, DM = 82 * G, BB = 84 * G;
    static final PlanarQ2_K INSTANCE = new PlanarQ2_K();

    @Override public GGMLType type() { return GGMLType.Q2_K; }

    @Override int groupBlockBytes() { return BB; }

    @Override int qsBytes() { return 8; }

    /** Prepared ints per block: Q4_0's, then the sums of the int8 activations over elements 0..15 and 16..31. */
    static final int E2 = E + 2;

    @Override public int width() { return E2; }

    @Override
    void prepareBlock(float[] x, int i, int[] out, int o) {
        super.prepareBlock(x, i, out, o);
        out[o + E] = half(out, o, 0);
        out[o + E + 1] = half(out, o, 1);
    }

    @Override
    public boolean finiteScales(MemorySegment src, long rows, int n) {
        long blocks = rows * (n / QK_K);
        for (long b = 0; b < blocks; b++) {
            if ((src.get(I16, b * Q2_K.BLOCK + Q2_K.D) & 0x7c00) == 0x7c00 || (src.get(I16, b * Q2_K.BLOCK + Q2_K.DMIN) & 0x7c00) == 0x7c00) return false;
        }
        return true;
    }

    @Override
    public void pack(MemorySegment src, long rows, int n, MemorySegment dst, long r0, long r1) {
        int nb = n / QK_K;
        int[] q = new int[QK_K];
        for (long r = r0; r < r1; r++) {
            int lane = (int) (r % G);
            for (int b = 0; b < nb; b++) {
                long bo = (r * nb + b) * Q2_K.BLOCK, base = base(nb, r, b);
                for (int e = 0; e < QK_K; e++) q[e] = KQuants.b(src, bo + Q2_K.QS + 32 * (e / 128) + e % 32) >> 2 * (e % 128 / 32) & 3;
                for (int j = 0; j < 8; j++) {
                    int[] lows = new int[2];
                    for (int v = 0; v < 4; v++) {
                        for (int k = 0; k < 4; k++) {
                            int e = 32 * j + PlanarQ4_0.element(v, k), m = 4 * (v & 1) + k;
                            lows[v >> 1] |= q[e] << 2 * m | q[e + 2] << 16 + 2 * m;
                        }
                    }
                    for (int c = 0; c < 2; c++) dst.set(TypeOps.I32, base + (long) j * B32 + c * 4L * G + 4L * lane, lows[c]);
                }
                for (int is = 0; is < 16; is++) dst.set(ValueLayout.JAVA_BYTE, base + SC + (is >> 2) * 4L * G + 4L * lane + (is & 3), src.get(ValueLayout.JAVA_BYTE, bo + is));
                dst.set(I16, base + D + 2L * lane, src.get(I16, bo + Q2_K.D));
                dst.set(I16, base + DM + 2L * lane, src.get(I16, bo + Q2_K.DMIN));
            }
        }
    }

    /** The quant (0..3) of element e (0..31) of block j of packed row s, from the grouped layout. */
    private static int value(MemorySegment w, long base, long s, int j, int e) {
        int i = e & 15, lane = (int) (s % G);
        int v = i >> 2, k = 2 * (i & 1) + (e >> 4), upper = (i & 2) != 0 ? 16 : 0; // element(v, k) (+2 for the upper short)
        int lows = w.get(TypeOps.I32, base + (long) j * B32 + (v >> 1) * 4L * G + 4L * lane);
        return lows >>> 2 * (4 * (v & 1) + k) + upper & 3;
    }

    /** Scale byte is (scale low, min high) of packed row s. */
    private static int scale(MemorySegment w, long base, long s, int is) {
        return KQuants.b(w, base + SC + (is >> 2) * 4L * G + 4 * (s % G) + (is & 3));
    }

    @Override
    void row(PlanarMatrix m, int r, float[] out, int outOff) { // as ggml's dequantize: d * sc * q - dmin * min
        MemorySegment w = m.data();
        int nb = m.n() / QK_K;
        long s = (long) m.first() + r;
        for (int b = 0; b < nb; b++) {
            long base = base(nb, s, b);
            float d = Float.float16ToFloat(w.get(I16, base + D + 2 * (s % G))), dmin = Float.float16ToFloat(w.get(I16, base + DM + 2 * (s % G)));
            for (int e = 0; e < QK_K; e++) {
                int sc = scale(w, base, s, e >> 4);
                out[outOff + b * QK_K + e] = d * (sc & 0xf) * value(w, base, s, e >> 5, e & 31) - dmin * (sc >> 4);
            }
        }
    }

    /** Sums of the int8 activations over a 32-block's elements 0..15 (k even) or 16..31 (k odd), from their pairs. */
    static int half(int[] p, int xo, int odd) {
        int sum = 0;
        for (int v = 0; v < 4; v++) {
            for (int k = odd; k < 4; k += 2) sum += (short) p[xo + 4 * v + k] + (p[xo + 4 * v + k] >> 16);
        }
        return sum;
    }

    @Override
    float dot(MemorySegment w, int nb, long s, int[] p, int po) {
        float acc = 0;
        for (int b = 0; b < nb; b++) {
            long base = base(nb, s, b);
            float fa = 0, fb = 0;
            for (int j = 0; j < 8; j++) {
                int xo = po + (8 * b + j) * E2, s0 = 0, s1 = 0;
                for (int v = 0; v < 4; v++) {
                    for (int k = 0; k < 4; k++) {
                        int pair = p[xo + 4 * v + k], e = PlanarQ4_0.element(v, k);
                        int prod = value(w, base, s, j, e) * (short) pair + value(w, base, s, j, e + 2) * (pair >> 16);
                        if ((k & 1) == 0) s0 += prod;
                        else s1 += prod;
                    }
                }
                int c0 = scale(w, base, s, 2 * j), c1 = scale(w, base, s, 2 * j + 1);
                float dx = Float.intBitsToFloat(p[xo + 16]);
                fa = Math.fma((float) ((c0 & 15) * s0 + (c1 & 15) * s1), dx, fa);
                fb = Math.fma((float) ((c0 >> 4) * p[xo + E] + (c1 >> 4) * p[xo + E + 1]), dx, fb);
            }
            float d = Float.float16ToFloat(w.get(I16, base + D + 2 * (s % G))), dmin = Float.float16ToFloat(w.get(I16, base + DM + 2 * (s % G)));
            acc = Math.fma(-dmin, fb, Math.fma(d, fa, acc));
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
            FloatVector faA = FloatVector.zero(Vec.F), fbA = faA, faB = faA, fbB = faA;
            for (int j = 0; j < 8; j++) {
                long bbA = baseA + (long) j * B32;
                long bbB = baseB + (long) j * B32;
                int xo = po + (8 * b + j) * E2;
                ShortVector sA = ShortVector.zero(GroupPlanar.SH), tA = sA, sB = sA, tB = sA;
                for (int u = 0; u < 2; u++) { // chunks 2u and 2u + 1 share one int of fields
                    IntVector lA = IntVector.fromMemorySegment(Vec.I, w, bbA + u * 4L * G, ByteOrder.LITTLE_ENDIAN);
                    IntVector lB = IntVector.fromMemorySegment(Vec.I, w, bbB + u * 4L * G, ByteOrder.LITTLE_ENDIAN);
                    int xe = xo + 8 * u;
                    ShortVector x00 = IntVector.broadcast(Vec.I, p[xe]).reinterpretAsShorts();
                    sA = sA.add(lA.and(0x30003).reinterpretAsShorts().mul(x00));
                    sB = sB.add(lB.and(0x30003).reinterpretAsShorts().mul(x00));
                    ShortVector x01 = IntVector.broadcast(Vec.I, p[xe + 1]).reinterpretAsShorts();
                    tA = tA.add(lA.lanewise(LSHR, 2).and(0x30003).reinterpretAsShorts().mul(x01));
                    tB = tB.add(lB.lanewise(LSHR, 2).and(0x30003).reinterpretAsShorts().mul(x01));
                    ShortVector x02 = IntVector.broadcast(Vec.I, p[xe + 2]).reinterpretAsShorts();
                    sA = sA.add(lA.lanewise(LSHR, 4).and(0x30003).reinterpretAsShorts().mul(x02));
                    sB = sB.add(lB.lanewise(LSHR, 4).and(0x30003).reinterpretAsShorts().mul(x02));
                    ShortVector x03 = IntVector.broadcast(Vec.I, p[xe + 3]).reinterpretAsShorts();
                    tA = tA.add(lA.lanewise(LSHR, 6).and(0x30003).reinterpretAsShorts().mul(x03));
                    tB = tB.add(lB.lanewise(LSHR, 6).and(0x30003).reinterpretAsShorts().mul(x03));
                    ShortVector x10 = IntVector.broadcast(Vec.I, p[xe + 4]).reinterpretAsShorts();
                    sA = sA.add(lA.lanewise(LSHR, 8).and(0x30003).reinterpretAsShorts().mul(x10));
                    sB = sB.add(lB.lanewise(LSHR, 8).and(0x30003).reinterpretAsShorts().mul(x10));
                    ShortVector x11 = IntVector.broadcast(Vec.I, p[xe + 5]).reinterpretAsShorts();
                    tA = tA.add(lA.lanewise(LSHR, 10).and(0x30003).reinterpretAsShorts().mul(x11));
                    tB = tB.add(lB.lanewise(LSHR, 10).and(0x30003).reinterpretAsShorts().mul(x11));
                    ShortVector x12 = IntVector.broadcast(Vec.I, p[xe + 6]).reinterpretAsShorts();
                    sA = sA.add(lA.lanewise(LSHR, 12).and(0x30003).reinterpretAsShorts().mul(x12));
                    sB = sB.add(lB.lanewise(LSHR, 12).and(0x30003).reinterpretAsShorts().mul(x12));
                    ShortVector x13 = IntVector.broadcast(Vec.I, p[xe + 7]).reinterpretAsShorts();
                    tA = tA.add(lA.lanewise(LSHR, 14).and(0x30003).reinterpretAsShorts().mul(x13));
                    tB = tB.add(lB.lanewise(LSHR, 14).and(0x30003).reinterpretAsShorts().mul(x13));
                }
                IntVector usA = sA.reinterpretAsInts(), utA = tA.reinterpretAsInts();
                IntVector usB = sB.reinterpretAsInts(), utB = tB.reinterpretAsInts();
                IntVector s0A = usA.lanewise(LSHL, 16).lanewise(ASHR, 16).add(usA.lanewise(ASHR, 16));
                IntVector s0B = usB.lanewise(LSHL, 16).lanewise(ASHR, 16).add(usB.lanewise(ASHR, 16));
                IntVector s1A = utA.lanewise(LSHL, 16).lanewise(ASHR, 16).add(utA.lanewise(ASHR, 16));
                IntVector s1B = utB.lanewise(LSHL, 16).lanewise(ASHR, 16).add(utB.lanewise(ASHR, 16));
                IntVector scsA = IntVector.fromMemorySegment(Vec.I, w, baseA + SC + (j >> 1) * 4L * G, ByteOrder.LITTLE_ENDIAN).lanewise(LSHR, 16 * (j & 1));
                IntVector sc0A = scsA.and(15), mn0A = scsA.lanewise(LSHR, 4).and(15), sc1A = scsA.lanewise(LSHR, 8).and(15), mn1A = scsA.lanewise(LSHR, 12).and(15);
                IntVector scsB = IntVector.fromMemorySegment(Vec.I, w, baseB + SC + (j >> 1) * 4L * G, ByteOrder.LITTLE_ENDIAN).lanewise(LSHR, 16 * (j & 1));
                IntVector sc0B = scsB.and(15), mn0B = scsB.lanewise(LSHR, 4).and(15), sc1B = scsB.lanewise(LSHR, 8).and(15), mn1B = scsB.lanewise(LSHR, 12).and(15);
                float dx = Float.intBitsToFloat(p[xo + 16]);
                FloatVector dxv = FloatVector.broadcast(Vec.F, dx);
                int h0 = p[xo + E], h1 = p[xo + E + 1];
                faA = ((FloatVector) s0A.mul(sc0A).add(s1A.mul(sc1A)).convert(I2F, 0)).fma(dxv, faA);
                faB = ((FloatVector) s0B.mul(sc0B).add(s1B.mul(sc1B)).convert(I2F, 0)).fma(dxv, faB);
                fbA = ((FloatVector) mn0A.mul(h0).add(mn1A.mul(h1)).convert(I2F, 0)).fma(dxv, fbA);
                fbB = ((FloatVector) mn0B.mul(h0).add(mn1B.mul(h1)).convert(I2F, 0)).fma(dxv, fbB);
            }
            IntVector dhA = (IntVector) ShortVector.fromMemorySegment(Vec.S, w, baseA + D, ByteOrder.LITTLE_ENDIAN).convertShape(S2I, Vec.I, 0);
            IntVector dhB = (IntVector) ShortVector.fromMemorySegment(Vec.S, w, baseB + D, ByteOrder.LITTLE_ENDIAN).convertShape(S2I, Vec.I, 0);
            IntVector mhA = (IntVector) ShortVector.fromMemorySegment(Vec.S, w, baseA + DM, ByteOrder.LITTLE_ENDIAN).convertShape(S2I, Vec.I, 0);
            IntVector mhB = (IntVector) ShortVector.fromMemorySegment(Vec.S, w, baseB + DM, ByteOrder.LITTLE_ENDIAN).convertShape(S2I, Vec.I, 0);
            FloatVector dA = dhA.lanewise(LSHL, 13).and(0x8fffe000).reinterpretAsFloats().mul(0x1p112f); // Vec.finiteHalf
            FloatVector dB = dhB.lanewise(LSHL, 13).and(0x8fffe000).reinterpretAsFloats().mul(0x1p112f);
            FloatVector dminA = mhA.lanewise(LSHL, 13).and(0x8fffe000).reinterpretAsFloats().mul(-0x1p112f); // -Vec.finiteHalf
            FloatVector dminB = mhB.lanewise(LSHL, 13).and(0x8fffe000).reinterpretAsFloats().mul(-0x1p112f);
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
                long bb = base + (long) j * B32;
                int x0 = po + (8 * b + j) * E2, x1 = x0 + cs, x2 = x1 + cs, x3 = x2 + cs;
                ShortVector s0 = ShortVector.zero(GroupPlanar.SH), s1 = s0, s2 = s0, s3 = s0, t0 = s0, t1 = s0, t2 = s0, t3 = s0;
                for (int u = 0; u < 2; u++) {
                    IntVector l = IntVector.fromMemorySegment(Vec.I, w, bb + u * 4L * G, ByteOrder.LITTLE_ENDIAN);
                    int xe = 8 * u;
                    ShortVector e0 = l.and(0x30003).reinterpretAsShorts();
                    s0 = s0.add(e0.mul(IntVector.broadcast(Vec.I, p[x0 + xe]).reinterpretAsShorts()));
                    s1 = s1.add(e0.mul(IntVector.broadcast(Vec.I, p[x1 + xe]).reinterpretAsShorts()));
                    s2 = s2.add(e0.mul(IntVector.broadcast(Vec.I, p[x2 + xe]).reinterpretAsShorts()));
                    s3 = s3.add(e0.mul(IntVector.broadcast(Vec.I, p[x3 + xe]).reinterpretAsShorts()));
                    ShortVector e1 = l.lanewise(LSHR, 2).and(0x30003).reinterpretAsShorts();
                    t0 = t0.add(e1.mul(IntVector.broadcast(Vec.I, p[x0 + xe + 1]).reinterpretAsShorts()));
                    t1 = t1.add(e1.mul(IntVector.broadcast(Vec.I, p[x1 + xe + 1]).reinterpretAsShorts()));
                    t2 = t2.add(e1.mul(IntVector.broadcast(Vec.I, p[x2 + xe + 1]).reinterpretAsShorts()));
                    t3 = t3.add(e1.mul(IntVector.broadcast(Vec.I, p[x3 + xe + 1]).reinterpretAsShorts()));
                    ShortVector e2 = l.lanewise(LSHR, 4).and(0x30003).reinterpretAsShorts();
                    s0 = s0.add(e2.mul(IntVector.broadcast(Vec.I, p[x0 + xe + 2]).reinterpretAsShorts()));
                    s1 = s1.add(e2.mul(IntVector.broadcast(Vec.I, p[x1 + xe + 2]).reinterpretAsShorts()));
                    s2 = s2.add(e2.mul(IntVector.broadcast(Vec.I, p[x2 + xe + 2]).reinterpretAsShorts()));
                    s3 = s3.add(e2.mul(IntVector.broadcast(Vec.I, p[x3 + xe + 2]).reinterpretAsShorts()));
                    ShortVector e3 = l.lanewise(LSHR, 6).and(0x30003).reinterpretAsShorts();
                    t0 = t0.add(e3.mul(IntVector.broadcast(Vec.I, p[x0 + xe + 3]).reinterpretAsShorts()));
                    t1 = t1.add(e3.mul(IntVector.broadcast(Vec.I, p[x1 + xe + 3]).reinterpretAsShorts()));
                    t2 = t2.add(e3.mul(IntVector.broadcast(Vec.I, p[x2 + xe + 3]).reinterpretAsShorts()));
                    t3 = t3.add(e3.mul(IntVector.broadcast(Vec.I, p[x3 + xe + 3]).reinterpretAsShorts()));
                    ShortVector e4 = l.lanewise(LSHR, 8).and(0x30003).reinterpretAsShorts();
                    s0 = s0.add(e4.mul(IntVector.broadcast(Vec.I, p[x0 + xe + 4]).reinterpretAsShorts()));
                    s1 = s1.add(e4.mul(IntVector.broadcast(Vec.I, p[x1 + xe + 4]).reinterpretAsShorts()));
                    s2 = s2.add(e4.mul(IntVector.broadcast(Vec.I, p[x2 + xe + 4]).reinterpretAsShorts()));
                    s3 = s3.add(e4.mul(IntVector.broadcast(Vec.I, p[x3 + xe + 4]).reinterpretAsShorts()));
                    ShortVector e5 = l.lanewise(LSHR, 10).and(0x30003).reinterpretAsShorts();
                    t0 = t0.add(e5.mul(IntVector.broadcast(Vec.I, p[x0 + xe + 5]).reinterpretAsShorts()));
                    t1 = t1.add(e5.mul(IntVector.broadcast(Vec.I, p[x1 + xe + 5]).reinterpretAsShorts()));
                    t2 = t2.add(e5.mul(IntVector.broadcast(Vec.I, p[x2 + xe + 5]).reinterpretAsShorts()));
                    t3 = t3.add(e5.mul(IntVector.broadcast(Vec.I, p[x3 + xe + 5]).reinterpretAsShorts()));
                    ShortVector e6 = l.lanewise(LSHR, 12).and(0x30003).reinterpretAsShorts();
                    s0 = s0.add(e6.mul(IntVector.broadcast(Vec.I, p[x0 + xe + 6]).reinterpretAsShorts()));
                    s1 = s1.add(e6.mul(IntVector.broadcast(Vec.I, p[x1 + xe + 6]).reinterpretAsShorts()));
                    s2 = s2.add(e6.mul(IntVector.broadcast(Vec.I, p[x2 + xe + 6]).reinterpretAsShorts()));
                    s3 = s3.add(e6.mul(IntVector.broadcast(Vec.I, p[x3 + xe + 6]).reinterpretAsShorts()));
                    ShortVector e7 = l.lanewise(LSHR, 14).and(0x30003).reinterpretAsShorts();
                    t0 = t0.add(e7.mul(IntVector.broadcast(Vec.I, p[x0 + xe + 7]).reinterpretAsShorts()));
                    t1 = t1.add(e7.mul(IntVector.broadcast(Vec.I, p[x1 + xe + 7]).reinterpretAsShorts()));
                    t2 = t2.add(e7.mul(IntVector.broadcast(Vec.I, p[x2 + xe + 7]).reinterpretAsShorts()));
                    t3 = t3.add(e7.mul(IntVector.broadcast(Vec.I, p[x3 + xe + 7]).reinterpretAsShorts()));
                }
                IntVector scs = IntVector.fromMemorySegment(Vec.I, w, base + SC + (j >> 1) * 4L * G, ByteOrder.LITTLE_ENDIAN).lanewise(LSHR, 16 * (j & 1));
                IntVector sc0 = scs.and(15), mn0 = scs.lanewise(LSHR, 4).and(15), sc1 = scs.lanewise(LSHR, 8).and(15), mn1 = scs.lanewise(LSHR, 12).and(15);
                IntVector us0 = s0.reinterpretAsInts(), ut0 = t0.reinterpretAsInts();
                IntVector a0 = us0.lanewise(LSHL, 16).lanewise(ASHR, 16).add(us0.lanewise(ASHR, 16)), b0 = ut0.lanewise(LSHL, 16).lanewise(ASHR, 16).add(ut0.lanewise(ASHR, 16));
                FloatVector dx0 = FloatVector.broadcast(Vec.F, Float.intBitsToFloat(p[x0 + 16]));
                fa0 = ((FloatVector) a0.mul(sc0).add(b0.mul(sc1)).convert(I2F, 0)).fma(dx0, fa0);
                fb0 = ((FloatVector) mn0.mul(p[x0 + E]).add(mn1.mul(p[x0 + E + 1])).convert(I2F, 0)).fma(dx0, fb0);
                IntVector us1 = s1.reinterpretAsInts(), ut1 = t1.reinterpretAsInts();
                IntVector a1 = us1.lanewise(LSHL, 16).lanewise(ASHR, 16).add(us1.lanewise(ASHR, 16)), b1 = ut1.lanewise(LSHL, 16).lanewise(ASHR, 16).add(ut1.lanewise(ASHR, 16));
                FloatVector dx1 = FloatVector.broadcast(Vec.F, Float.intBitsToFloat(p[x1 + 16]));
                fa1 = ((FloatVector) a1.mul(sc0).add(b1.mul(sc1)).convert(I2F, 0)).fma(dx1, fa1);
                fb1 = ((FloatVector) mn0.mul(p[x1 + E]).add(mn1.mul(p[x1 + E + 1])).convert(I2F, 0)).fma(dx1, fb1);
                IntVector us2 = s2.reinterpretAsInts(), ut2 = t2.reinterpretAsInts();
                IntVector a2 = us2.lanewise(LSHL, 16).lanewise(ASHR, 16).add(us2.lanewise(ASHR, 16)), b2 = ut2.lanewise(LSHL, 16).lanewise(ASHR, 16).add(ut2.lanewise(ASHR, 16));
                FloatVector dx2 = FloatVector.broadcast(Vec.F, Float.intBitsToFloat(p[x2 + 16]));
                fa2 = ((FloatVector) a2.mul(sc0).add(b2.mul(sc1)).convert(I2F, 0)).fma(dx2, fa2);
                fb2 = ((FloatVector) mn0.mul(p[x2 + E]).add(mn1.mul(p[x2 + E + 1])).convert(I2F, 0)).fma(dx2, fb2);
                IntVector us3 = s3.reinterpretAsInts(), ut3 = t3.reinterpretAsInts();
                IntVector a3 = us3.lanewise(LSHL, 16).lanewise(ASHR, 16).add(us3.lanewise(ASHR, 16)), b3 = ut3.lanewise(LSHL, 16).lanewise(ASHR, 16).add(ut3.lanewise(ASHR, 16));
                FloatVector dx3 = FloatVector.broadcast(Vec.F, Float.intBitsToFloat(p[x3 + 16]));
                fa3 = ((FloatVector) a3.mul(sc0).add(b3.mul(sc1)).convert(I2F, 0)).fma(dx3, fa3);
                fb3 = ((FloatVector) mn0.mul(p[x3 + E]).add(mn1.mul(p[x3 + E + 1])).convert(I2F, 0)).fma(dx3, fb3);
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
