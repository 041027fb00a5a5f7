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
 * GGML_TYPE_Q2_K: super-blocks of 256 = 16 scale bytes (low nibble scale, high nibble min), 64 bytes of 2-bit quants,
 * fp16 d, fp16 dmin. Element 128h + 32j + l is bits 2j..2j+1 of qs[32h + l], with scale byte 8h + 2j + l/16;
 * x = d * scale * q - dmin * min.
 */
public final class Q2_K extends QuantOps {
    public static final Q2_K INSTANCE = new Q2_K();
    static final int BLOCK = 84, QS = 16, D = 80, DMIN = 82;

    @Override public GGMLType type() { return GGMLType.Q2_K; }

    @Override
    public void dequantize(MemorySegment w, long off, float[] out, int outOff, int n) {
        for (int b = 0; b < n / QK_K; b++) {
            long bo = off + (long) b * BLOCK;
            float d = f16(w, bo + D), dmin = f16(w, bo + DMIN);
            int o = outOff + b * QK_K;
            for (int e = 0; e < QK_K; e++) {
                int h = e / 128, j = e % 128 / 32, l = e % 32;
                int sc = KQuants.b(w, bo + 8 * h + 2 * j + l / 16);
                int q = KQuants.b(w, bo + QS + 32 * h + l) >> 2 * j & 3;
                out[o + e] = d * (sc & 0xf) * q - dmin * (sc >> 4);
            }
        }
    }

    @Override
    public void quantize(float[] in, int inOff, MemorySegment w, long off, int n) {
        int[] L = new int[QK_K];
        float[] mins = new float[16], scales = new float[16], wts = new float[16];
        for (int b = 0; b < n / QK_K; b++) {
            long bo = off + (long) b * BLOCK;
            int xo = inOff + b * QK_K;
            float maxScale = 0, maxMin = 0;
            for (int j = 0; j < 16; j++) {
                for (int l = 0; l < 16; l++) wts[l] = Math.abs(in[xo + 16 * j + l]);
                scales[j] = KQuants.makeQkx2(16, 3, in, xo + 16 * j, wts, L, 16 * j, mins, j, -0.5f, 0.1f, 15, true);
                if (scales[j] > maxScale) maxScale = scales[j];
                if (mins[j] > maxMin) maxMin = mins[j];
            }
            int[] sc = new int[16];
            if (maxScale > 0) {
                float iscale = 15f / maxScale;
                for (int j = 0; j < 16; j++) sc[j] = nearestInt(iscale * scales[j]) & 0xff;
                putF16(w, bo + D, maxScale / 15f);
            } else {
                putF16(w, bo + D, 0f);
            }
            if (maxMin > 0) {
                float iscale = 15f / maxMin;
                for (int j = 0; j < 16; j++) sc[j] = (sc[j] | nearestInt(iscale * mins[j]) << 4) & 0xff;
                putF16(w, bo + DMIN, maxMin / 15f);
            } else {
                putF16(w, bo + DMIN, 0f);
            }
            for (int j = 0; j < 16; j++) w.set(ValueLayout.JAVA_BYTE, bo + j, (byte) sc[j]);
            float d = f16(w, bo + D), dmin = f16(w, bo + DMIN);
            for (int j = 0; j < 16; j++) {
                float dj = d * (sc[j] & 0xf);
                if (dj == 0) continue;
                float mj = dmin * (sc[j] >> 4);
                for (int i = 0; i < 16; i++) {
                    L[16 * j + i] = Math.max(0, Math.min(3, nearestInt((in[xo + 16 * j + i] + mj) / dj)));
                }
            }
            for (int h = 0; h < 2; h++) {
                for (int l = 0; l < 32; l++) {
                    int e = 128 * h + l;
                    w.set(ValueLayout.JAVA_BYTE, bo + QS + 32 * h + l,
                            (byte) (L[e] | L[e + 32] << 2 | L[e + 64] << 4 | L[e + 96] << 6));
                }
            }
        }
    }

    private static FloatVector w2(IntVector q, int j, int sc, float d, float dmin) {
        return q2(q, j).mul(d * (sc & 0xf)).sub(dmin * (sc >> 4));
    }

    private static FloatVector q2(IntVector q, int j) { return Vec.toFloat(q.lanewise(VectorOperators.LSHR, 2 * j).and(3)); }

    @Override
    void decode(MemorySegment w, long off, float[] dst, int n) {
        for (int b = 0; b < n / QK_K; b++) {
            long bo = off + (long) b * BLOCK;
            float d = f16(w, bo + D), dmin = f16(w, bo + DMIN);
            for (int h = 0; h < 2; h++) {
                int o = b * QK_K + 128 * h;
                for (int k = 0; k < 32; k += Vec.L) slice(w, bo, h, k, d, dmin, dst, o);
            }
        }
    }

    // The vector work of one slice is a method of its own with no vector parameters: decode inlined whole is too big
    // for C2, which then leaves calls in it and boxes the vectors they pass.
    private static void slice(MemorySegment w, long bo, int h, int k, float d, float dmin, float[] dst, int o) {
        IntVector q = Vec.ints(w, bo + QS + 32 * h + k);
        int is = 8 * h + k / 16;
        for (int j = 0; j < 4; j++) w2(q, j, KQuants.b(w, bo + is + 2 * j), d, dmin).intoArray(dst, o + 32 * j + k);
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
