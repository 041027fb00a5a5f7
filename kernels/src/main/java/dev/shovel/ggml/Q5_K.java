package dev.shovel.ggml;

import static dev.shovel.ggml.KQuants.QK_K;
import static dev.shovel.ggml.QuantMath.nearestInt;

import dev.shovel.gguf.GGMLType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import jdk.incubator.vector.IntVector;

/**
 * GGML_TYPE_Q5_K: super-blocks of 256 = fp16 d, fp16 dmin, 12 bytes of packed 6-bit scales/mins (as Q4_K), 32 bytes
 * qh, then 128 bytes of low nibbles laid out as Q4_K. Element 64c + l takes bit 2c of qh[l] as its 5th bit,
 * element 64c + 32 + l bit 2c+1; x = d * scale * q - dmin * min.
 */
public final class Q5_K extends QuantOps {
    public static final Q5_K INSTANCE = new Q5_K();
    static final int BLOCK = 176, SCALES = 4, QH = 16, QS = 48;

    @Override public GGMLType type() { return GGMLType.Q5_K; }

    @Override
    public void dequantize(MemorySegment w, long off, float[] out, int outOff, int n) {
        for (int b = 0; b < n / QK_K; b++) {
            long bo = off + (long) b * BLOCK;
            float d = f16(w, bo), dmin = f16(w, bo + 2);
            int o = outOff + b * QK_K;
            for (int c = 0; c < 4; c++) {
                float d1 = d * KQuants.scaleK4(w, bo + SCALES, 2 * c), m1 = dmin * KQuants.minK4(w, bo + SCALES, 2 * c);
                float d2 = d * KQuants.scaleK4(w, bo + SCALES, 2 * c + 1), m2 = dmin * KQuants.minK4(w, bo + SCALES, 2 * c + 1);
                for (int l = 0; l < 32; l++) {
                    int q = KQuants.b(w, bo + QS + 32 * c + l), h = KQuants.b(w, bo + QH + l);
                    out[o + 64 * c + l] = d1 * ((q & 0xf) + ((h >> 2 * c & 1) << 4)) - m1;
                    out[o + 64 * c + 32 + l] = d2 * ((q >> 4) + ((h >> 2 * c + 1 & 1) << 4)) - m2;
                }
            }
        }
    }

    @Override
    public void quantize(float[] in, int inOff, MemorySegment w, long off, int n) {
        int[] L = new int[QK_K], ls = new int[8], lm = new int[8];
        float[] mins = new float[8], scales = new float[8], wts = new float[32];
        for (int b = 0; b < n / QK_K; b++) {
            long bo = off + (long) b * BLOCK;
            int xo = inOff + b * QK_K;
            float maxScale = 0, maxMin = 0;
            for (int j = 0; j < 8; j++) {
                KQuants.rmsWeights(in, xo + 32 * j, wts);
                scales[j] = KQuants.makeQkx2(32, 31, in, xo + 32 * j, wts, L, 32 * j, mins, j, -0.5f, 0.1f, 15, false);
                if (scales[j] > maxScale) maxScale = scales[j];
                if (mins[j] > maxMin) maxMin = mins[j];
            }
            float invScale = maxScale > 0 ? 63f / maxScale : 0f;
            float invMin = maxMin > 0 ? 63f / maxMin : 0f;
            for (int j = 0; j < 8; j++) {
                ls[j] = Math.min(63, nearestInt(invScale * scales[j]) & 0xff);
                lm[j] = Math.min(63, nearestInt(invMin * mins[j]) & 0xff);
            }
            KQuants.packK4(w, bo + SCALES, ls, lm);
            putF16(w, bo, maxScale / 63f);
            putF16(w, bo + 2, maxMin / 63f);
            float d = f16(w, bo), dmin = f16(w, bo + 2);
            for (int j = 0; j < 8; j++) {
                float dj = d * KQuants.scaleK4(w, bo + SCALES, j);
                if (dj == 0) continue;
                float mj = dmin * KQuants.minK4(w, bo + SCALES, j);
                for (int i = 0; i < 32; i++) {
                    L[32 * j + i] = Math.max(0, Math.min(31, nearestInt((in[xo + 32 * j + i] + mj) / dj)));
                }
            }
            byte[] qh = new byte[32];
            for (int c = 0; c < 4; c++) {
                for (int l = 0; l < 32; l++) {
                    int l1 = L[64 * c + l], l2 = L[64 * c + 32 + l];
                    if (l1 > 15) { l1 -= 16; qh[l] |= (byte) (1 << 2 * c); }
                    if (l2 > 15) { l2 -= 16; qh[l] |= (byte) (2 << 2 * c); }
                    w.set(ValueLayout.JAVA_BYTE, bo + QS + 32 * c + l, (byte) (l1 | l2 << 4));
                }
            }
            MemorySegment.copy(qh, 0, w, ValueLayout.JAVA_BYTE, bo + QH, 32);
        }
    }

    @Override
    void decode(MemorySegment w, long off, float[] dst, int n) {
        for (int b = 0; b < n / QK_K; b++) {
            long bo = off + (long) b * BLOCK;
            float d = f16(w, bo), dmin = f16(w, bo + 2);
            for (int c = 0; c < 4; c++) {
                float d1 = d * KQuants.scaleK4(w, bo + SCALES, 2 * c), m1 = dmin * KQuants.minK4(w, bo + SCALES, 2 * c);
                float d2 = d * KQuants.scaleK4(w, bo + SCALES, 2 * c + 1), m2 = dmin * KQuants.minK4(w, bo + SCALES, 2 * c + 1);
                int o = b * QK_K + 64 * c;
                for (int k = 0; k < 32; k += Vec.L) slice(w, bo + QS + 32 * c + k, bo + QH + k, c, d1, m1, d2, m2, dst, o + k);
            }
        }
    }

    // The vector work of one slice is a method of its own with no vector parameters: decode inlined whole is too big
    // for C2, which then leaves calls in it and boxes the vectors they pass.
    private static void slice(MemorySegment w, long qo, long ho, int c, float d1, float m1, float d2, float m2, float[] dst, int o) {
        IntVector q = Vec.ints(w, qo), h = Vec.ints(w, ho);
        Vec.toFloat(Vec.lo(q).or(Vec.bit(h, 2 * c, 4))).mul(d1).sub(m1).intoArray(dst, o);
        Vec.toFloat(Vec.hi(q).or(Vec.bit(h, 2 * c + 1, 4))).mul(d2).sub(m2).intoArray(dst, o + 32);
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
