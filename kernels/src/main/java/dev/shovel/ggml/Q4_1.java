package dev.shovel.ggml;

import dev.shovel.gguf.GGMLType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import jdk.incubator.vector.IntVector;

/**
 * GGML_TYPE_Q4_1: blocks of 32 = fp16 d, fp16 m, then 16 bytes; element j is the low nibble of byte j, element
 * j+16 its high nibble; x = q * d + m.
 */
public final class Q4_1 extends QuantOps {
    public static final Q4_1 INSTANCE = new Q4_1();
    static final int QK = 32, BLOCK = 20;

    @Override public GGMLType type() { return GGMLType.Q4_1; }

    @Override
    public void dequantize(MemorySegment w, long off, float[] out, int outOff, int n) {
        for (int b = 0; b < n / QK; b++) {
            long bo = off + (long) b * BLOCK;
            float d = f16(w, bo), m = f16(w, bo + 2);
            int o = outOff + b * QK;
            for (int j = 0; j < QK / 2; j++) {
                int q = w.get(ValueLayout.JAVA_BYTE, bo + 4 + j) & 0xff;
                out[o + j] = (q & 0xf) * d + m;
                out[o + j + QK / 2] = (q >> 4) * d + m;
            }
        }
    }

    @Override
    public void quantize(float[] in, int inOff, MemorySegment w, long off, int n) {
        for (int b = 0; b < n / QK; b++) {
            long bo = off + (long) b * BLOCK;
            int o = inOff + b * QK;
            float min = Float.MAX_VALUE, max = -Float.MAX_VALUE;
            for (int j = 0; j < QK; j++) { // as ggml: plain comparisons (Math.min would prefer -0.0)
                float v = in[o + j];
                if (v < min) min = v;
                if (v > max) max = v;
            }
            float d = (max - min) / 15;
            float id = d != 0 ? 1f / d : 0f;
            putF16(w, bo, d);
            putF16(w, bo + 2, min);
            for (int j = 0; j < QK / 2; j++) {
                int q0 = Math.min(15, QuantMath.truncByte((in[o + j] - min) * id + 0.5f));
                int q1 = Math.min(15, QuantMath.truncByte((in[o + j + QK / 2] - min) * id + 0.5f));
                w.set(ValueLayout.JAVA_BYTE, bo + 4 + j, (byte) (q0 | q1 << 4));
            }
        }
    }

    @Override
    void decode(MemorySegment w, long off, float[] dst, int n) {
        for (int b = 0; b < n / QK; b++) {
            long bo = off + (long) b * BLOCK;
            float d = f16(w, bo), m = f16(w, bo + 2);
            for (int k = 0; k < 16; k += Vec.L) {
                IntVector q = Vec.ints(w, bo + 4 + k);
                Vec.toFloat(Vec.lo(q)).mul(d).add(m).intoArray(dst, b * QK + k);
                Vec.toFloat(Vec.hi(q)).mul(d).add(m).intoArray(dst, b * QK + 16 + k);
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
