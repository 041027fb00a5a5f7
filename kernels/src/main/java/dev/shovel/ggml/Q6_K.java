package dev.shovel.ggml;

import static dev.shovel.ggml.KQuants.QK_K;
import static dev.shovel.ggml.QuantMath.nearestInt;

import dev.shovel.gguf.GGMLType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * GGML_TYPE_Q6_K: super-blocks of 256 = 128 bytes ql (low 4 bits), 64 bytes qh (high 2 bits), 16 int8 scales, fp16 d.
 * Half h (128 elements) uses ql[64h..], qh[32h..], scales[8h..]; for l in 0..31 the four elements l, l+32, l+64,
 * l+96 are ql[l] low, ql[l+32] low, ql[l] high, ql[l+32] high nibble, with qh[l] bits 0-1, 2-3, 4-5, 6-7;
 * x = d * scale[l/16 + 2i] * (q - 32).
 */
public final class Q6_K extends QuantOps {
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

    /** Low 4 bits plus the 2 high bits already in place (bits 4-5), minus 32, times the sub-block scale. */
    private static FloatVector w6(IntVector low4, IntVector high2, float scale) {
        return Vec.toFloat(low4.or(high2.and(0x30)).sub(32)).mul(scale);
    }

    @Override
    void decode(MemorySegment w, long off, float[] dst, int n) {
        for (int b = 0; b < n / QK_K; b++) {
            long bo = off + (long) b * BLOCK;
            float d = f16(w, bo + D);
            for (int h = 0; h < 2; h++) {
                long ql = bo + 64 * h, qh = bo + QH + 32 * h;
                int o = b * QK_K + 128 * h;
                for (int k = 0; k < 32; k += Vec.L) slice(w, bo, ql + k, qh + k, 8 * h + k / 16, d, dst, o + k);
            }
        }
    }

    // The vector work of one slice is a method of its own with no vector parameters: decode inlined whole is too big
    // for C2, which then leaves calls in it and boxes the vectors they pass.
    private static void slice(MemorySegment w, long bo, long ql, long qh, int is, float d, float[] dst, int o) {
        IntVector a = Vec.ints(w, ql), c = Vec.ints(w, ql + 32), hh = Vec.ints(w, qh);
        w6(Vec.lo(a), hh.lanewise(VectorOperators.LSHL, 4), d * sc(w, bo, is)).intoArray(dst, o);
        w6(Vec.lo(c), hh.lanewise(VectorOperators.LSHL, 2), d * sc(w, bo, is + 2)).intoArray(dst, o + 32);
        w6(Vec.hi(a), hh, d * sc(w, bo, is + 4)).intoArray(dst, o + 64);
        w6(Vec.hi(c), hh.lanewise(VectorOperators.LSHR, 2), d * sc(w, bo, is + 6)).intoArray(dst, o + 96);
    }

    // Per-type entry points (see QuantOps: one compiled loop per type).
    @Override public float dot(MemorySegment w, long off, float[] x, int xOff, int n) { return QuantOps.dot(this, w, off, x, xOff, n); }

    @Override
    public void matvec(MemorySegment w, int n, float[] x, int xOff, float[] out, int outOff, int r0, int r1) {
        QuantOps.matvec(this, w, n, x, xOff, out, outOff, r0, r1);
    }

    @Override
    public void gemm(MemorySegment w, int n, float[] x, int nb, float[] out, int outStride, int r0, int r1) {
        BlockOps.gemm(this, w, n, x, nb, out, outStride, r0, r1);
    }
}
