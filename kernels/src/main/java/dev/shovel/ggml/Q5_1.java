package dev.shovel.ggml;

import static dev.shovel.ggml.Q5_0.highBit;
import static dev.shovel.ggml.Q5_0.high;

import dev.shovel.gguf.GGMLType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import jdk.incubator.vector.IntVector;

/**
 * GGML_TYPE_Q5_1: blocks of 32 = fp16 d, fp16 m, uint32 qh (5th bits), 16 bytes of nibbles laid out as in Q5_0;
 * x = q * d + m.
 */
public final class Q5_1 extends QuantOps {
    public static final Q5_1 INSTANCE = new Q5_1();
    static final int QK = 32, BLOCK = 24;

    @Override public GGMLType type() { return GGMLType.Q5_1; }

    @Override
    public void dequantize(MemorySegment w, long off, float[] out, int outOff, int n) {
        for (int b = 0; b < n / QK; b++) {
            long bo = off + (long) b * BLOCK;
            float d = f16(w, bo), m = f16(w, bo + 2);
            int qh = w.get(I32, bo + 4);
            int o = outOff + b * QK;
            for (int j = 0; j < QK / 2; j++) {
                int q = w.get(ValueLayout.JAVA_BYTE, bo + 8 + j) & 0xff;
                out[o + j] = (q & 0xf | highBit(qh, j)) * d + m;
                out[o + j + 16] = (q >> 4 | highBit(qh, j + 16)) * d + m;
            }
        }
    }

    @Override
    public void quantize(float[] in, int inOff, MemorySegment w, long off, int n) {
        for (int b = 0; b < n / QK; b++) {
            long bo = off + (long) b * BLOCK;
            int o = inOff + b * QK;
            float min = Float.MAX_VALUE, max = -Float.MAX_VALUE;
            for (int j = 0; j < QK; j++) {
                float v = in[o + j];
                if (v < min) min = v;
                if (v > max) max = v;
            }
            float d = (max - min) / 31;
            float id = d != 0 ? 1f / d : 0f;
            putF16(w, bo, d);
            putF16(w, bo + 2, min);
            int qh = 0;
            for (int j = 0; j < QK / 2; j++) {
                int q0 = (int) ((in[o + j] - min) * id + 0.5f) & 0xff;
                int q1 = (int) ((in[o + j + 16] - min) * id + 0.5f) & 0xff;
                w.set(ValueLayout.JAVA_BYTE, bo + 8 + j, (byte) (q0 & 0xf | (q1 & 0xf) << 4));
                qh |= (q0 >> 4 & 1) << j | (q1 >> 4 & 1) << (j + 16);
            }
            w.set(I32, bo + 4, qh);
        }
    }

    @Override
    void decode(MemorySegment w, long off, float[] dst, int n) {
        for (int b = 0; b < n / QK; b++) {
            long bo = off + (long) b * BLOCK;
            float d = f16(w, bo), m = f16(w, bo + 2);
            int qh = w.get(I32, bo + 4);
            for (int k = 0; k < 16; k += Vec.L) {
                IntVector q = Vec.ints(w, bo + 8 + k);
                Vec.toFloat(Vec.lo(q).or(high(qh, k))).mul(d).add(m).intoArray(dst, b * QK + k);
                Vec.toFloat(Vec.hi(q).or(high(qh, 16 + k))).mul(d).add(m).intoArray(dst, b * QK + 16 + k);
            }
        }
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
