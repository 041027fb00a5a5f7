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
 * GGML_TYPE_Q3_K: super-blocks of 256 = 32 bytes hmask, 64 bytes of 2-bit quants, 12 bytes of sixteen 6-bit scales,
 * fp16 d. Element 128h + 32j + l is bits 2j..2j+1 of qs[32h + l], minus 4 unless bit 4h+j of hmask[l] is set; scale
 * 8h + 2j + l/16 has low nibble in byte s (s < 8) or high nibble of byte s-8, top 2 bits in byte 8 + s%4 at 2(s/4);
 * x = d * (scale - 32) * q.
 */
public final class Q3_K extends QuantOps {
    public static final Q3_K INSTANCE = new Q3_K();
    static final int BLOCK = 110, QS = 32, SC = 96, D = 108;

    @Override public GGMLType type() { return GGMLType.Q3_K; }

    /** Signed scale s (0..15) of the block at {@code bo}. */
    static int scale(MemorySegment w, long bo, int s) {
        int low = s < 8 ? KQuants.b(w, bo + SC + s) & 0xf : KQuants.b(w, bo + SC + s - 8) >> 4;
        int high = KQuants.b(w, bo + SC + 8 + s % 4) >> 2 * (s / 4) & 3;
        return (low | high << 4) - 32;
    }

    @Override
    public void dequantize(MemorySegment w, long off, float[] out, int outOff, int n) {
        for (int b = 0; b < n / QK_K; b++) {
            long bo = off + (long) b * BLOCK;
            float d = f16(w, bo + D);
            int o = outOff + b * QK_K;
            for (int e = 0; e < QK_K; e++) {
                int h = e / 128, j = e % 128 / 32, l = e % 32;
                int q = KQuants.b(w, bo + QS + 32 * h + l) >> 2 * j & 3;
                boolean high = (KQuants.b(w, bo + l) >> 4 * h + j & 1) != 0;
                out[o + e] = d * scale(w, bo, 8 * h + 2 * j + l / 16) * (q - (high ? 0 : 4));
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
            float maxScale = 0, amax = 0;
            for (int j = 0; j < 16; j++) {
                scales[j] = KQuants.makeQ3(16, 4, in, xo + 16 * j, L, 16 * j);
                if (Math.abs(scales[j]) > amax) { amax = Math.abs(scales[j]); maxScale = scales[j]; }
            }
            byte[] s = new byte[12];
            if (maxScale != 0) {
                float iscale = -32f / maxScale;
                for (int j = 0; j < 16; j++) {
                    int l = Math.max(-32, Math.min(31, (int) (byte) nearestInt(iscale * scales[j]))) + 32;
                    if (j < 8) s[j] = (byte) (l & 0xf);
                    else s[j - 8] |= (byte) ((l & 0xf) << 4);
                    s[j % 4 + 8] |= (byte) ((l >> 4) << 2 * (j / 4));
                }
                putF16(w, bo + D, 1 / iscale);
            } else {
                putF16(w, bo + D, 0f);
            }
            MemorySegment.copy(s, 0, w, ValueLayout.JAVA_BYTE, bo + SC, 12);
            float d = f16(w, bo + D);
            for (int j = 0; j < 16; j++) {
                float dj = d * scale(w, bo, j);
                if (dj == 0) continue;
                for (int i = 0; i < 16; i++) {
                    L[16 * j + i] = Math.max(-4, Math.min(3, nearestInt(in[xo + 16 * j + i] / dj))) + 4;
                }
            }
            byte[] hmask = new byte[32];
            for (int e = 0; e < QK_K; e++) {
                if (L[e] > 3) {
                    hmask[e % 32] |= (byte) (1 << e / 32);
                    L[e] -= 4;
                }
            }
            MemorySegment.copy(hmask, 0, w, ValueLayout.JAVA_BYTE, bo, 32);
            for (int h = 0; h < 2; h++) {
                for (int l = 0; l < 32; l++) {
                    int e = 128 * h + l;
                    w.set(ValueLayout.JAVA_BYTE, bo + QS + 32 * h + l,
                            (byte) (L[e] | L[e + 32] << 2 | L[e + 64] << 4 | L[e + 96] << 6));
                }
            }
        }
    }

    /** Quants of slice j (bits 2j) minus 4 unless hmask bit {@code bit} is set, as floats, times the slice scale. */
    private static FloatVector w3(IntVector q, IntVector hm, int j, int bit, float dl) {
        return Vec.toFloat(q3(q, j).or(Vec.bit(hm, bit, 2)).sub(4)).mul(dl);
    }

    private static IntVector q3(IntVector q, int j) { return q.lanewise(VectorOperators.LSHR, 2 * j).and(3); }

    @Override
    void decode(MemorySegment w, long off, float[] dst, int n) {
        for (int b = 0; b < n / QK_K; b++) {
            long bo = off + (long) b * BLOCK;
            float d = f16(w, bo + D);
            for (int h = 0; h < 2; h++) {
                int o = b * QK_K + 128 * h;
                for (int k = 0; k < 32; k += Vec.L) slice(w, bo, h, k, d, dst, o);
            }
        }
    }

    // The vector work of one slice is a method of its own with no vector parameters: decode inlined whole is too big
    // for C2, which then leaves calls in it and boxes the vectors they pass.
    private static void slice(MemorySegment w, long bo, int h, int k, float d, float[] dst, int o) {
        IntVector q = Vec.ints(w, bo + QS + 32 * h + k), hm = Vec.ints(w, bo + k);
        int is = 8 * h + k / 16;
        for (int j = 0; j < 4; j++) w3(q, hm, j, 4 * h + j, d * scale(w, bo, is + 2 * j)).intoArray(dst, o + 32 * j + k);
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
