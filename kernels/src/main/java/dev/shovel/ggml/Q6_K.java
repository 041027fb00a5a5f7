package dev.shovel.ggml;

import static dev.shovel.ggml.KQuants.QK_K;
import static dev.shovel.ggml.QuantMath.nearestInt;

import dev.shovel.gguf.GGMLType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * GGML_TYPE_Q6_K: super-blocks of 256 = 128 bytes ql (low 4 bits), 64 bytes qh (high 2 bits), 16 int8 scales, fp16 d.
 * Half h (128 elements) uses ql[64h..], qh[32h..], scales[8h..]; for l in 0..31 the four elements l, l+32, l+64,
 * l+96 are ql[l] low, ql[l+32] low, ql[l] high, ql[l+32] high nibble, with qh[l] bits 0-1, 2-3, 4-5, 6-7;
 * x = d * scale[l/16 + 2i] * (q - 32).
 */
public final class Q6_K extends BlockOps {
    public static final Q6_K INSTANCE = new Q6_K();
    static final int BLOCK = 210, QH = 128, SC = 192, D = 208;

    @Override public GGMLType type() { return GGMLType.Q6_K; }

    private static int sc(MemorySegment w, long bo, int i) { return w.get(ValueLayout.JAVA_BYTE, bo + SC + i); }

    @Override
    public void dequantize(MemorySegment w, long off, float[] out, int outOff, int n) {
        for (int b = 0; b < n / QK_K; b++) {
            long bo = off + (long) b * BLOCK;
            float d = f16(w, bo + D);
            for (int h = 0; h < 2; h++) {
                long ql = bo + 64 * h, qh = bo + QH + 32 * h;
                int o = outOff + b * QK_K + 128 * h;
                for (int l = 0; l < 32; l++) {
                    int is = 8 * h + l / 16;
                    int a = KQuants.b(w, ql + l), c = KQuants.b(w, ql + 32 + l), hh = KQuants.b(w, qh + l);
                    out[o + l] = d * sc(w, bo, is) * ((a & 0xf | (hh & 3) << 4) - 32);
                    out[o + l + 32] = d * sc(w, bo, is + 2) * ((c & 0xf | (hh >> 2 & 3) << 4) - 32);
                    out[o + l + 64] = d * sc(w, bo, is + 4) * ((a >> 4 | (hh >> 4 & 3) << 4) - 32);
                    out[o + l + 96] = d * sc(w, bo, is + 6) * ((c >> 4 | (hh >> 6) << 4) - 32);
                }
            }
        }
    }

    @Override
    public void quantize(float[] in, int inOff, MemorySegment w, long off, int n) {
        int[] L = new int[QK_K];
        float[] scales = new float[16];
        for (int b = 0; b < n / QK_K; b++) {
            long bo = off + (long) b * BLOCK;
            int xo = inOff + b * QK_K;
            float maxScale = 0, maxAbs = 0;
            for (int ib = 0; ib < 16; ib++) {
                scales[ib] = KQuants.makeQx(16, 32, in, xo + 16 * ib, L, 16 * ib);
                if (Math.abs(scales[ib]) > maxAbs) { maxAbs = Math.abs(scales[ib]); maxScale = scales[ib]; }
            }
            if (maxAbs < KQuants.GROUP_MAX_EPS) {
                w.asSlice(bo, BLOCK).fill((byte) 0);
                continue;
            }
            float iscale = -128f / maxScale;
            putF16(w, bo + D, 1 / iscale);
            for (int ib = 0; ib < 16; ib++) {
                w.set(ValueLayout.JAVA_BYTE, bo + SC + ib, (byte) Math.min(127, nearestInt(iscale * scales[ib])));
            }
            float d = f16(w, bo + D);
            for (int j = 0; j < 16; j++) {
                float dj = d * sc(w, bo, j);
                if (dj == 0) continue;
                for (int i = 0; i < 16; i++) {
                    L[16 * j + i] = Math.max(-32, Math.min(31, nearestInt(in[xo + 16 * j + i] / dj))) + 32;
                }
            }
            for (int h = 0; h < 2; h++) {
                long ql = bo + 64 * h, qh = bo + QH + 32 * h;
                int j = 128 * h;
                for (int l = 0; l < 32; l++) {
                    int q1 = L[j + l], q2 = L[j + l + 32], q3 = L[j + l + 64], q4 = L[j + l + 96];
                    w.set(ValueLayout.JAVA_BYTE, ql + l, (byte) (q1 & 0xf | (q3 & 0xf) << 4));
                    w.set(ValueLayout.JAVA_BYTE, ql + l + 32, (byte) (q2 & 0xf | (q4 & 0xf) << 4));
                    w.set(ValueLayout.JAVA_BYTE, qh + l, (byte) (q1 >> 4 | (q2 >> 4) << 2 | (q3 >> 4) << 4 | (q4 >> 4) << 6));
                }
            }
        }
    }

    private static FloatVector w6(ByteVector low4, ByteVector high2, float scale) {
        return Vec.bytesToFloat(low4.or(high2.lanewise(VectorOperators.LSHL, 4)).sub((byte) 32)).mul(scale);
    }

    @Override
    public float dot(MemorySegment w, long off, float[] x, int xOff, int n) {
        if (!Vec.OK) return dotScalar(w, off, x, xOff, n);
        FloatVector a0 = FloatVector.zero(Vec.F), a1 = a0;
        for (int b = 0; b < n / QK_K; b++) {
            long bo = off + (long) b * BLOCK;
            float d = f16(w, bo + D);
            for (int h = 0; h < 2; h++) {
                long ql = bo + 64 * h, qh = bo + QH + 32 * h;
                int xo = xOff + b * QK_K + 128 * h;
                for (int k = 0; k < 32; k += Vec.L) {
                    int is = 8 * h + k / 16;
                    ByteVector a = Vec.bytes(w, ql + k), c = Vec.bytes(w, ql + 32 + k), hh = Vec.bytes(w, qh + k);
                    FloatVector w1 = w6(a.and((byte) 0xf), hh.and((byte) 3), d * sc(w, bo, is));
                    FloatVector w2 = w6(c.and((byte) 0xf), hh.lanewise(VectorOperators.LSHR, 2).and((byte) 3), d * sc(w, bo, is + 2));
                    FloatVector w3 = w6(a.lanewise(VectorOperators.LSHR, 4), hh.lanewise(VectorOperators.LSHR, 4).and((byte) 3), d * sc(w, bo, is + 4));
                    FloatVector w4 = w6(c.lanewise(VectorOperators.LSHR, 4), hh.lanewise(VectorOperators.LSHR, 6), d * sc(w, bo, is + 6));
                    a0 = w1.fma(Vec.x(x, xo + k), a0);
                    a1 = w2.fma(Vec.x(x, xo + 32 + k), a1);
                    a0 = w3.fma(Vec.x(x, xo + 64 + k), a0);
                    a1 = w4.fma(Vec.x(x, xo + 96 + k), a1);
                }
            }
        }
        return Vec.sum(a0.add(a1));
    }

    @Override
    void dot4(MemorySegment w, long off, float[] x, int x0, int x1, int x2, int x3, int n,
              float[] out, int o0, int o1, int o2, int o3) {
        if (!Vec.OK) { dot4Scalar(w, off, x, x0, x1, x2, x3, n, out, o0, o1, o2, o3); return; }
        FloatVector a0 = FloatVector.zero(Vec.F), a1 = a0, b0 = a0, b1 = a0, c0 = a0, c1 = a0, e0 = a0, e1 = a0;
        for (int b = 0; b < n / QK_K; b++) {
            long bo = off + (long) b * BLOCK;
            float d = f16(w, bo + D);
            for (int h = 0; h < 2; h++) {
                long ql = bo + 64 * h, qh = bo + QH + 32 * h;
                int xo = b * QK_K + 128 * h;
                for (int k = 0; k < 32; k += Vec.L) {
                    int is = 8 * h + k / 16;
                    ByteVector a = Vec.bytes(w, ql + k), c = Vec.bytes(w, ql + 32 + k), hh = Vec.bytes(w, qh + k);
                    FloatVector w1 = w6(a.and((byte) 0xf), hh.and((byte) 3), d * sc(w, bo, is));
                    FloatVector w2 = w6(c.and((byte) 0xf), hh.lanewise(VectorOperators.LSHR, 2).and((byte) 3), d * sc(w, bo, is + 2));
                    FloatVector w3 = w6(a.lanewise(VectorOperators.LSHR, 4), hh.lanewise(VectorOperators.LSHR, 4).and((byte) 3), d * sc(w, bo, is + 4));
                    FloatVector w4 = w6(c.lanewise(VectorOperators.LSHR, 4), hh.lanewise(VectorOperators.LSHR, 6), d * sc(w, bo, is + 6));
                    int i1 = xo + k, i2 = xo + 32 + k, i3 = xo + 64 + k, i4 = xo + 96 + k;
                    a0 = w1.fma(Vec.x(x, x0 + i1), a0); a1 = w2.fma(Vec.x(x, x0 + i2), a1);
                    a0 = w3.fma(Vec.x(x, x0 + i3), a0); a1 = w4.fma(Vec.x(x, x0 + i4), a1);
                    b0 = w1.fma(Vec.x(x, x1 + i1), b0); b1 = w2.fma(Vec.x(x, x1 + i2), b1);
                    b0 = w3.fma(Vec.x(x, x1 + i3), b0); b1 = w4.fma(Vec.x(x, x1 + i4), b1);
                    c0 = w1.fma(Vec.x(x, x2 + i1), c0); c1 = w2.fma(Vec.x(x, x2 + i2), c1);
                    c0 = w3.fma(Vec.x(x, x2 + i3), c0); c1 = w4.fma(Vec.x(x, x2 + i4), c1);
                    e0 = w1.fma(Vec.x(x, x3 + i1), e0); e1 = w2.fma(Vec.x(x, x3 + i2), e1);
                    e0 = w3.fma(Vec.x(x, x3 + i3), e0); e1 = w4.fma(Vec.x(x, x3 + i4), e1);
                }
            }
        }
        out[o0] = Vec.sum(a0.add(a1));
        out[o1] = Vec.sum(b0.add(b1));
        out[o2] = Vec.sum(c0.add(c1));
        out[o3] = Vec.sum(e0.add(e1));
    }
}
