package dev.shovel.ggml;

import static org.junit.jupiter.api.Assertions.*;

import dev.shovel.gguf.GGMLType;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.Random;
import jdk.incubator.vector.ShortVector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Planar Q8_0/Q4_0/MXFP4/IQ4_NL and the K-quants against the ggml layout's scalar twin (and matvec bit for bit against its int8 twin): matvec, GEMM,
 * row decode, slices.
 */
class PlanarTest {
    static final int[] SIZES = {32, 96, 288, 1024, 4096};

    static PlanarMatrix pack(Planar p, MemorySegment w, int rows, int n) {
        PlanarMatrix m = PlanarMatrix.of(p, TestData.alloc(p.bytes(rows, n)), rows, n);
        p.pack(w, rows, n, m.data(), 0, 3 % rows); // in two pieces, as the loader's chunks do
        p.pack(w, rows, n, m.data(), 3 % rows, rows);
        return m;
    }

    /**
     * How far matvec may be from the float twin. It multiplies int8 activations, as llama.cpp does: per block, x is off
     * by at most dx / 2 (dx = amax / 127) plus the rounding of dx to fp16.
     */
    static double matvecTol(float[] deq, int row, int n, float[] x, int xOff) {
        double tol = 1e-5 * TestData.sumAbsProducts(deq, row * n, x, xOff, n) + 1e-30;
        for (int b = 0; b < n / 32; b++) {
            double amax = 0, sw = 0;
            for (int j = 0; j < 32; j++) {
                amax = Math.max(amax, Math.abs(x[xOff + b * 32 + j]));
                sw += Math.abs(deq[row * n + b * 32 + j]);
            }
            tol += 1.01 * sw * amax * (1 / 254.0 + 1 / 2048.0);
        }
        return tol;
    }

    /** The int8 twin of the kernels: packed row s against x prepared at p[po..]. */
    static float twin(PlanarMatrix m, long s, int[] p, int po) {
        if (m.ops() instanceof KGroupPlanar k) return k.dot(m.data(), m.n() / 256, s, p, po);
        return ((GroupPlanar) m.ops()).dot(m.data(), m.n() / 32, s, p, po);
    }

    static int[] sizes(GGMLType t) { return t.blockSize == 256 ? new int[] {256, 512, 1024, 4096} : SIZES; }

    static int[] prepared(PlanarMatrix m, float[] x) {
        int[] p = new int[m.ops().prepSize(1, m.n())];
        m.ops().prepare(x, 0, 1, m.n(), p);
        return p;
    }

    static float[] matvec(PlanarMatrix m, float[] x, int r0, int r1) {
        int[] p = prepared(m, x);
        float[] out = new float[m.rows()];
        Arrays.fill(out, Float.NaN);
        m.ops().matvec(m, p, out, 0, r0, r1);
        return out;
    }

    @ParameterizedTest
    @EnumSource(names = {"Q8_0", "Q4_0", "MXFP4", "IQ4_NL", "Q2_K", "Q3_K", "Q4_K", "Q5_K", "Q6_K", "IQ4_XS"})
    void matvecMatchesScalarTwinAndRowsDecode(GGMLType t) {
        TypeOps ggml = TypeOps.of(t);
        Planar p = Planar.of(t);
        assertEquals(t, p.type());
        Random r = new Random(7000L + t.id);
        for (int n : sizes(t)) {
            int rows = n <= 1024 ? 70 : 11; // 70: groups paired in lockstep, a partial one last
            for (MemorySegment w : TypeTwinTest.weights(ggml, r, rows, n)) {
                assertTrue(p.finiteScales(w, rows, n));
                PlanarMatrix m = pack(p, w, rows, n);
                float[] deq = TestData.dequantizeAll(ggml, w, rows, n);
                float[] x = TestData.gaussian(r, n, 1.0);
                float[] out = matvec(m, x, 0, rows);
                float[] split = matvec(m, x, 0, 9);
                float[] rest = matvec(m, x, 9, rows);
                int[] prep = prepared(m, x);
                for (int row = 0; row < rows; row++) {
                    float want = ggml.dotScalar(w, row * ggml.rowBytes(n), x, 0, n);
                    String what = t + " n=" + n + " row " + row;
                    assertTrue(Math.abs(want - out[row]) <= matvecTol(deq, row, n, x, 0), what + ": twin " + want + " matvec " + out[row]);
                    assertEquals(twin(m, row, prep, 0), out[row], what + ": int8 twin");
                    assertEquals(out[row], row < 9 ? split[row] : rest[row], "row split changed a result");
                    float[] dec = new float[n];
                    m.row(row, dec, 0);
                    assertArrayEquals(Arrays.copyOfRange(deq, row * n, (row + 1) * n), dec, t + " row decode");
                }
                PlanarMatrix tail = m.slice(4, 5);
                float[] sliced = matvec(tail, x, 0, 5);
                for (int row = 0; row < 5; row++) assertEquals(out[4 + row], sliced[row], "slice row " + row);
            }
        }
    }

    static float[] gemm(PlanarMatrix m, float[] x, int nb, int stride, int r0, int r1, float[] out) {
        Planar p = m.ops();
        int[] prep = new int[p.prepSize(nb, m.n())];
        p.prepare(x, 0, nb, m.n(), prep);
        p.gemm(m, x, prep, nb, out, stride, r0, r1);
        return out;
    }

    /** Sizes across the GEMM's slices (128 or 256 columns), group pairs and a group alone, and every column tile and the rest. */
    @ParameterizedTest
    @EnumSource(names = {"Q8_0", "Q4_0", "MXFP4", "IQ4_NL", "Q2_K", "Q3_K", "Q4_K", "Q5_K", "Q6_K", "IQ4_XS"})
    void gemmMatchesTwinAndIgnoresBatchPositionAndSplit(GGMLType t) {
        TypeOps ggml = TypeOps.of(t);
        Planar p = Planar.of(t);
        Random r = new Random(8000L + t.id);
        for (int[] shape : t.blockSize == 256 ? new int[][] {{13, 256}, {70, 512}} : new int[][] {{13, 288}, {70, 544}}) {
            int rows = shape[0], n = shape[1];
            MemorySegment w = TestData.quantized(ggml, TestData.gaussian(r, rows * n, 1.0), rows, n);
            float[] deq = TestData.dequantizeAll(ggml, w, rows, n);
            PlanarMatrix m = pack(p, w, rows, n);
            int most = 70; // batches below use every column tile; 13 and 70 rows leave a partial group
            float[] xs = TestData.gaussian(r, most * n, 1.0);
            int stride = rows + 2;
            float[] ref = new float[most * stride];
            gemm(m, xs, most, stride, 0, rows, ref);
            for (int nb : new int[] {2, 3, 5, 9, 66}) {
                int first = most - nb; // the same x rows, now in other places of the batch
                float[] x = Arrays.copyOfRange(xs, first * n, most * n);
                float[] full = new float[nb * stride], split = new float[nb * stride];
                Arrays.fill(full, Float.NaN);
                Arrays.fill(split, Float.NaN);
                gemm(m, x, nb, stride, 0, rows, full);
                gemm(m, x, nb, stride, 0, 6, split);
                gemm(m, x, nb, stride, 6, rows, split);
                int[] prep = new int[p.prepSize(nb, n)];
                p.prepare(x, 0, nb, n, prep);
                for (int b = 0; b < nb; b++) {
                    for (int row = 0; row < stride; row++) {
                        int i = b * stride + row;
                        if (row >= rows) {
                            assertTrue(Float.isNaN(full[i]) && Float.isNaN(split[i]), "gemm wrote outside its rows");
                            continue;
                        }
                        String what = t + " " + rows + "x" + n + " nb=" + nb + " b=" + b + " row " + row;
                        assertEquals(ref[(first + b) * stride + row], full[i], what + ": result depends on the batch position");
                        assertEquals(full[i], split[i], what + ": row split changed a result");
                        float want = ggml.dotScalar(w, row * ggml.rowBytes(n), x, b * n, n);
                        if (prep.length == 0) {
                            TypeTwinTest.assertClose(want, full[i], TestData.sumAbsProducts(deq, row * n, x, b * n, n), what);
                        } else { // tiles on int8 activations, as matvec
                            assertEquals(twin(m, row, prep, b * (n / 32) * p.width()), full[i], what + ": int8 twin");
                            assertTrue(Math.abs(want - full[i]) <= matvecTol(deq, row, n, x, b * n), what + ": twin " + want + " gemm " + full[i]);
                        }
                    }
                }
            }
        }
    }

    /** The extreme products (quants at their ends, activations all at +-127) must not overflow the 16-bit sums. */
    @ParameterizedTest
    @EnumSource(names = {"Q8_0", "Q4_0", "MXFP4", "IQ4_NL"})
    void extremeQuantsMatchTheInt8TwinExactly(GGMLType t) {
        Planar p = Planar.of(t);
        int rows = GroupPlanar.G + 3, n = 256, bs = t.typeSize, qs0 = t == GGMLType.MXFP4 ? 1 : 2;
        byte[][] quants = switch (t) {
            case Q8_0 -> new byte[][] {{-128}, {127}, {-128, 127}, {127, 127, -128}};
            case Q4_0 -> new byte[][] {{-1}, {0}, {15}, {-16}, {-1, 0}};
            case MXFP4 -> new byte[][] {{0x77}, {-1}, {0x7f}, {-9}, {0x77, -1}}; // nibbles 7 and 15: +-12
            default -> new byte[][] {{0}, {-1}, {0x0f}, {-16}, {0, -1}}; // IQ4_NL: nibbles 0 and 15, -127 and 113
        };
        float[][] xs = {{1}, {-1}, {1, -1}, {-1, 1, 1}, {1, 0.5f, -1}};
        for (byte[] qs : quants) {
            MemorySegment w = TestData.alloc((long) rows * n / 32 * bs);
            for (long blk = 0; blk < (long) rows * n / 32; blk++) {
                if (t == GGMLType.MXFP4) w.set(java.lang.foreign.ValueLayout.JAVA_BYTE, blk * bs, (byte) 128); // scale 1
                else w.set(TestData.I16, blk * bs, Float.floatToFloat16(1f));
                for (int j = 0; j < bs - qs0; j++) w.set(java.lang.foreign.ValueLayout.JAVA_BYTE, blk * bs + qs0 + j, qs[(int) ((blk + j) % qs.length)]);
            }
            PlanarMatrix m = pack(p, w, rows, n);
            for (float[] pattern : xs) {
                float[] x = new float[n];
                for (int i = 0; i < n; i++) x[i] = pattern[i % pattern.length];
                float[] out = matvec(m, x, 0, rows);
                int[] prep = prepared(m, x);
                for (int row = 0; row < rows; row++) {
                    assertEquals(twin(m, row, prep, 0), out[row], t + " row " + row + " quants " + Arrays.toString(qs) + " x " + Arrays.toString(pattern));
                }
            }
        }
    }

    /** Activation quantization: q = x / dx rounded half to even (ties included), dx = amax / 127 rounded to fp16. */
    @Test
    void quantizeRoundsHalfToEven() {
        Random r = new Random(12);
        for (int t = 0; t < 200; t++) {
            float[] x = new float[40];
            for (int j = 0; j < x.length; j++) x[j] = t % 2 == 0 ? (float) r.nextGaussian() : r.nextInt(255) / 2f - 63.5f;
            if (t % 2 == 1) x[3 + r.nextInt(32)] = 127; // dx = 1, so the halves above are exact ties
            int[] q = new int[32];
            float dx = GroupPlanar.quantize(x, 3, q);
            float amax = 0;
            for (int j = 0; j < 32; j++) amax = Math.max(amax, Math.abs(x[3 + j]));
            float d = amax / 127, id = d != 0 ? 1 / d : 0;
            assertEquals(Float.float16ToFloat(Float.floatToFloat16(d)), dx);
            for (int j = 0; j < 32; j++) assertEquals((int) Math.rint(x[3 + j] * id), q[j], "element " + j + " of " + x[3 + j]);
        }
    }

    @Test
    void fastHalfConversionIsExactForEveryFiniteHalf() {
        short[] all = new short[1 << 16];
        for (int i = 0; i < all.length; i++) all[i] = (short) i;
        for (int i = 0; i + Vec.L <= all.length; i += Vec.L) {
            if (!Vec.OK) return;
            float[] got = new float[Vec.L];
            Vec.finiteHalf(Vec.s2i(ShortVector.fromArray(Vec.S, all, i))).intoArray(got, 0); // the grouped kernels' scales
            for (int k = 0; k < Vec.L; k++) {
                short h = all[i + k];
                if ((h & 0x7c00) == 0x7c00) continue; // infinities and NaNs: such planes are never made
                assertEquals(Float.floatToRawIntBits(Float.float16ToFloat(h)), Float.floatToRawIntBits(got[k]), "half " + Integer.toHexString(h & 0xffff));
            }
        }
    }

    @Test
    void nonFiniteScaleKeepsTheGgmlLayout() {
        int rows = 2, n = 64;
        MemorySegment w = TestData.quantized(TypeOps.of(GGMLType.Q8_0), TestData.gaussian(new Random(1), rows * n, 1.0), rows, n);
        assertTrue(Planar.of(GGMLType.Q8_0).finiteScales(w, rows, n));
        w.set(TestData.I16, 34 * 3, (short) 0x7c00); // block 3's scale: +Inf
        assertFalse(Planar.of(GGMLType.Q8_0).finiteScales(w, rows, n));
        MemorySegment k = TestData.quantized(TypeOps.of(GGMLType.Q4_K), TestData.gaussian(new Random(2), rows * 256, 1.0), rows, 256);
        assertTrue(Planar.of(GGMLType.Q4_K).finiteScales(k, rows, 256));
        k.set(TestData.I16, 144 + 2, (short) 0xfc00); // row 1's dmin: -Inf
        assertFalse(Planar.of(GGMLType.Q4_K).finiteScales(k, rows, 256));
        MemorySegment k5 = TestData.quantized(TypeOps.of(GGMLType.Q5_K), TestData.gaussian(new Random(3), rows * 256, 1.0), rows, 256);
        assertTrue(Planar.of(GGMLType.Q5_K).finiteScales(k5, rows, 256));
        k5.set(TestData.I16, 176, (short) 0x7e00); // row 1's d: NaN
        assertFalse(Planar.of(GGMLType.Q5_K).finiteScales(k5, rows, 256));
        MemorySegment xs = TestData.quantized(TypeOps.of(GGMLType.IQ4_XS), TestData.gaussian(new Random(4), rows * 256, 1.0), rows, 256);
        assertTrue(Planar.of(GGMLType.IQ4_XS).finiteScales(xs, rows, 256));
        xs.set(TestData.I16, IQ4_XS.BLOCK, (short) 0x7c00); // row 1's d: +Inf
        assertFalse(Planar.of(GGMLType.IQ4_XS).finiteScales(xs, rows, 256));
        MemorySegment nl = TestData.quantized(TypeOps.of(GGMLType.IQ4_NL), TestData.gaussian(new Random(5), rows * n, 1.0), rows, n);
        assertTrue(Planar.of(GGMLType.IQ4_NL).finiteScales(nl, rows, n));
        nl.set(TestData.I16, 18 * 3, (short) 0x7e00); // block 3's d: NaN
        assertFalse(Planar.of(GGMLType.IQ4_NL).finiteScales(nl, rows, n));
        MemorySegment mx = TestData.randomBlocks(new Random(6), GGMLType.MXFP4, rows, n);
        mx.set(java.lang.foreign.ValueLayout.JAVA_BYTE, 17, (byte) 255); // 2^127: every E8M0 scale is finite
        assertTrue(Planar.of(GGMLType.MXFP4).finiteScales(mx, rows, n));
        assertNull(Planar.of(GGMLType.Q5_1));
    }

    /** IQ4_XS's sums at their limit: every value -127 or 113, scales -32 and 31, activations +-127. */
    @Test
    void iq4xsExtremeQuantsMatchTheInt8TwinExactly() {
        Planar p = Planar.of(GGMLType.IQ4_XS);
        int rows = GroupPlanar.G + 3, n = 512;
        for (int pattern = 0; pattern < 3; pattern++) {
            MemorySegment w = TestData.alloc((long) rows * n / 256 * IQ4_XS.BLOCK);
            for (long b = 0; b < (long) rows * n / 256; b++) {
                long o = b * IQ4_XS.BLOCK;
                w.set(TestData.I16, o, Float.floatToFloat16(0.5f));
                w.set(TestData.I16, o + IQ4_XS.SCALES_H, (short) (b % 2 == 0 ? 0 : 0xffff)); // ls 0..15 or 48..63
                for (int i = 0; i < 4; i++) w.set(java.lang.foreign.ValueLayout.JAVA_BYTE, o + IQ4_XS.SCALES_L + i, (byte) (b % 2 == 0 ? 0 : 0xff)); // ls - 32: -32, 31
                byte q = (byte) (pattern == 0 ? 0 : pattern == 1 ? 0xff : 0xf0);
                for (int i = 0; i < 128; i++) w.set(java.lang.foreign.ValueLayout.JAVA_BYTE, o + IQ4_XS.QS + i, q);
            }
            PlanarMatrix m = pack(p, w, rows, n);
            for (float[] signs : new float[][] {{1}, {-1}, {1, -1}, {-1, 1, 1}}) {
                float[] x = new float[n];
                for (int i = 0; i < n; i++) x[i] = signs[i % signs.length];
                float[] out = matvec(m, x, 0, rows);
                int[] prep = prepared(m, x);
                for (int row = 0; row < rows; row++) assertEquals(twin(m, row, prep, 0), out[row], "pattern " + pattern + " row " + row + " " + Arrays.toString(signs));
            }
        }
    }

    /** Q5_K's 16-bit sums at their limit: every quant 31, every activation +-127 (after int8 rounding). */
    @Test
    void q5kExtremeQuantsMatchTheInt8TwinExactly() {
        Planar p = Planar.of(GGMLType.Q5_K);
        int rows = GroupPlanar.G + 3, n = 512;
        MemorySegment w = TestData.alloc((long) rows * n / 256 * Q5_K.BLOCK);
        for (long b = 0; b < (long) rows * n / 256; b++) {
            long o = b * Q5_K.BLOCK;
            w.set(TestData.I16, o, Float.floatToFloat16(0.5f));
            w.set(TestData.I16, o + 2, Float.floatToFloat16(0.25f));
            for (int i = 0; i < 12; i++) w.set(java.lang.foreign.ValueLayout.JAVA_BYTE, o + Q5_K.SCALES + i, (byte) 0xff); // scales and mins 63
            for (int i = 0; i < 32 + 128; i++) w.set(java.lang.foreign.ValueLayout.JAVA_BYTE, o + Q5_K.QH + i, (byte) 0xff); // q = 31
        }
        PlanarMatrix m = pack(p, w, rows, n);
        for (float[] signs : new float[][] {{1}, {-1}, {1, -1}, {-1, 1, 1}}) {
            float[] x = new float[n];
            for (int i = 0; i < n; i++) x[i] = signs[i % signs.length];
            float[] out = matvec(m, x, 0, rows);
            int[] prep = prepared(m, x);
            for (int row = 0; row < rows; row++) assertEquals(twin(m, row, prep, 0), out[row], "row " + row + " " + Arrays.toString(signs));
        }
    }
}
