package dev.shovel.ggml;

import static dev.shovel.ggml.KQuants.QK_K;
import static dev.shovel.ggml.QuantMath.nearestInt;
import static jdk.incubator.vector.VectorOperators.I2F;
import static jdk.incubator.vector.VectorOperators.LSHR;
import static jdk.incubator.vector.VectorOperators.ZERO_EXTEND_B2I;

import dev.shovel.gguf.GGMLType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;

/**
 * GGML_TYPE_Q4_K: super-blocks of 256 = fp16 d, fp16 dmin, 12 bytes of packed 6-bit scales and mins (8 each), then
 * 128 bytes of nibbles. Chunk c (64 elements) uses bytes 32c..32c+31: low nibbles are sub-block 2c, high nibbles
 * sub-block 2c+1; x = d * scale * q - dmin * min.
 */
public final class Q4_K extends QuantOps {
    public static final Q4_K INSTANCE = new Q4_K();
    static final int BLOCK = 144, SCALES = 4, QS = 16;
    /** Per-thread copy of the block being multiplied (array loads keep the fused loop within C2's budget). */
    private static final ThreadLocal<byte[]> BLK = ThreadLocal.withInitial(() -> new byte[BLOCK]);

    @Override public GGMLType type() { return GGMLType.Q4_K; }

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
                    int q = KQuants.b(w, bo + QS + 32 * c + l);
                    out[o + 64 * c + l] = d1 * (q & 0xf) - m1;
                    out[o + 64 * c + 32 + l] = d2 * (q >> 4) - m2;
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
                scales[j] = KQuants.makeQkx2(32, 15, in, xo + 32 * j, wts, L, 32 * j, mins, j, -1f, 0.1f, 20, false);
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
                    L[32 * j + i] = Math.max(0, Math.min(15, nearestInt((in[xo + 32 * j + i] + mj) / dj)));
                }
            }
            for (int c = 0; c < 4; c++) {
                for (int l = 0; l < 32; l++) {
                    w.set(ValueLayout.JAVA_BYTE, bo + QS + 32 * c + l, (byte) (L[64 * c + l] | L[64 * c + 32 + l] << 4));
                }
            }
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
                for (int k = 0; k < 32; k += Vec.L) {
                    IntVector q = Vec.ints(w, bo + QS + 32 * c + k);
                    Vec.toFloat(Vec.lo(q)).mul(d1).sub(m1).intoArray(dst, o + k);
                    Vec.toFloat(Vec.hi(q)).mul(d2).sub(m2).intoArray(dst, o + 32 + k);
                }
            }
        }
    }

    /**
     * One row without a decode buffer: per sub-block, d * scale times the sum of q * x, less dmin * min times the
     * sum of x over the sub-block ({@code xs}, from {@link KQuants#sums}).
     */
    private static float fused(MemorySegment w, long off, float[] x, int xOff, int n, float[] xs, byte[] q, float[] acc) {
        FloatVector a1 = FloatVector.zero(Vec.F), a2 = a1;
        float mins = 0;
        for (int b = 0; b < n / QK_K; b++) {
            MemorySegment.copy(w, ValueLayout.JAVA_BYTE, off + (long) b * BLOCK, q, 0, BLOCK);
            float d = f16(q, 0), dmin = f16(q, 2);
            int xb = xOff + b * QK_K;
            for (int c = 0; c < 4; c++) {
                FloatVector s1 = FloatVector.zero(Vec.F), s2 = s1;
                for (int k = 0; k < 32; k += Vec.L) {
                    IntVector v = (IntVector) ByteVector.fromArray(Vec.B, q, QS + 32 * c + k).convertShape(ZERO_EXTEND_B2I, Vec.I, 0);
                    s1 = ((FloatVector) v.and(15).convert(I2F, 0)).fma(FloatVector.fromArray(Vec.F, x, xb + 64 * c + k), s1);
                    s2 = ((FloatVector) v.lanewise(LSHR, 4).convert(I2F, 0)).fma(FloatVector.fromArray(Vec.F, x, xb + 64 * c + 32 + k), s2);
                }
                int j = 2 * c, xi = 8 * b + j;
                a1 = s1.fma(FloatVector.broadcast(Vec.F, d * KQuants.scaleK4(q, SCALES, j)), a1);
                a2 = s2.fma(FloatVector.broadcast(Vec.F, d * KQuants.scaleK4(q, SCALES, j + 1)), a2);
                mins += dmin * (KQuants.minK4(q, SCALES, j) * xs[xi] + KQuants.minK4(q, SCALES, j + 1) * xs[xi + 1]);
            }
        }
        a1.add(a2).intoArray(acc, 0);
        return Vec.sum(acc) - mins;
    }

    @Override
    public float dot(MemorySegment w, long off, float[] x, int xOff, int n) {
        if (!Vec.OK) return dotScalar(w, off, x, xOff, n);
        return fused(w, off, x, xOff, n, KQuants.sums(x, xOff, n, 32), BLK.get(), KQuants.acc());
    }

    @Override
    public void matvec(MemorySegment w, int n, float[] x, int xOff, float[] out, int outOff, int r0, int r1) {
        if (!Vec.OK) {
            QuantOps.matvec(this, w, n, x, xOff, out, outOff, r0, r1);
            return;
        }
        float[] xs = KQuants.sums(x, xOff, n, 32), acc = KQuants.acc();
        byte[] q = BLK.get();
        long rb = rowBytes(n);
        for (int r = r0; r < r1; r++) out[outOff + r] = fused(w, r * rb, x, xOff, n, xs, q, acc);
    }

    @Override
    public void gemm(MemorySegment w, int n, float[] x, int nb, float[] out, int outStride, int r0, int r1) {
        BlockOps.gemm(this, w, n, x, nb, out, outStride, r0, r1);
    }
}
