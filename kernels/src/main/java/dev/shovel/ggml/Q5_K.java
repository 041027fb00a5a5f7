package dev.shovel.ggml;

import static dev.shovel.ggml.KQuants.QK_K;
import static dev.shovel.ggml.QuantMath.nearestInt;

import dev.shovel.gguf.GGMLType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

/**
 * GGML_TYPE_Q5_K: super-blocks of 256 = fp16 d, fp16 dmin, 12 bytes of packed 6-bit scales/mins (as Q4_K), 32 bytes
 * qh, then 128 bytes of low nibbles laid out as Q4_K. Element 64c + l takes bit 2c of qh[l] as its 5th bit,
 * element 64c + 32 + l bit 2c+1; x = d * scale * q - dmin * min.
 */
public final class Q5_K extends BlockOps {
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

    /** Nibbles with their 5th bit (bit {@code bit} of the qh bytes) as floats 0..31. */
    private static FloatVector q5(ByteVector nibbles, ByteVector qh, int bit) {
        VectorMask<Byte> high = qh.and((byte) (1 << bit)).compare(VectorOperators.NE, 0);
        return Vec.bytesToFloat(nibbles.lanewise(VectorOperators.OR, (byte) 16, high));
    }

    @Override
    public float dot(MemorySegment w, long off, float[] x, int xOff, int n) {
        if (!Vec.OK) return dotScalar(w, off, x, xOff, n);
        FloatVector a0 = FloatVector.zero(Vec.F), a1 = a0;
        for (int b = 0; b < n / QK_K; b++) {
            long bo = off + (long) b * BLOCK;
            float d = f16(w, bo), dmin = f16(w, bo + 2);
            for (int c = 0; c < 4; c++) {
                float d1 = d * KQuants.scaleK4(w, bo + SCALES, 2 * c), m1 = dmin * KQuants.minK4(w, bo + SCALES, 2 * c);
                float d2 = d * KQuants.scaleK4(w, bo + SCALES, 2 * c + 1), m2 = dmin * KQuants.minK4(w, bo + SCALES, 2 * c + 1);
                int xo = xOff + b * QK_K + 64 * c;
                for (int k = 0; k < 32; k += Vec.L) {
                    ByteVector q = Vec.bytes(w, bo + QS + 32 * c + k), h = Vec.bytes(w, bo + QH + k);
                    FloatVector lo = q5(q.and((byte) 0xf), h, 2 * c).mul(d1).sub(m1);
                    FloatVector hi = q5(q.lanewise(VectorOperators.LSHR, 4), h, 2 * c + 1).mul(d2).sub(m2);
                    a0 = lo.fma(Vec.x(x, xo + k), a0);
                    a1 = hi.fma(Vec.x(x, xo + 32 + k), a1);
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
            float d = f16(w, bo), dmin = f16(w, bo + 2);
            for (int c = 0; c < 4; c++) {
                float d1 = d * KQuants.scaleK4(w, bo + SCALES, 2 * c), m1 = dmin * KQuants.minK4(w, bo + SCALES, 2 * c);
                float d2 = d * KQuants.scaleK4(w, bo + SCALES, 2 * c + 1), m2 = dmin * KQuants.minK4(w, bo + SCALES, 2 * c + 1);
                int xo = b * QK_K + 64 * c;
                for (int k = 0; k < 32; k += Vec.L) {
                    ByteVector q = Vec.bytes(w, bo + QS + 32 * c + k), h = Vec.bytes(w, bo + QH + k);
                    FloatVector lo = q5(q.and((byte) 0xf), h, 2 * c).mul(d1).sub(m1);
                    FloatVector hi = q5(q.lanewise(VectorOperators.LSHR, 4), h, 2 * c + 1).mul(d2).sub(m2);
                    int i = xo + k, j = xo + 32 + k;
                    a0 = lo.fma(Vec.x(x, x0 + i), a0); a1 = hi.fma(Vec.x(x, x0 + j), a1);
                    b0 = lo.fma(Vec.x(x, x1 + i), b0); b1 = hi.fma(Vec.x(x, x1 + j), b1);
                    c0 = lo.fma(Vec.x(x, x2 + i), c0); c1 = hi.fma(Vec.x(x, x2 + j), c1);
                    e0 = lo.fma(Vec.x(x, x3 + i), e0); e1 = hi.fma(Vec.x(x, x3 + j), e1);
                }
            }
        }
        out[o0] = Vec.sum(a0.add(a1));
        out[o1] = Vec.sum(b0.add(b1));
        out[o2] = Vec.sum(c0.add(c1));
        out[o3] = Vec.sum(e0.add(e1));
    }
}
