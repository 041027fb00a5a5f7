package dev.shovel.ggml;

import dev.shovel.gguf.GGMLType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import jdk.incubator.vector.IntVector;

/**
 * GGML_TYPE_Q4_0: blocks of 32 = fp16 scale d, then 16 bytes; element j is the low nibble of byte j and
 * element j+16 its high nibble; x = d * (q - 8).
 */
public final class Q4_0 extends QuantOps {
    public static final Q4_0 INSTANCE = new Q4_0();
    static final int QK = 32, BLOCK = 18;

    @Override public GGMLType type() { return GGMLType.Q4_0; }

    @Override
    public void dequantize(MemorySegment w, long off, float[] out, int outOff, int n) {
        for (int b = 0; b < n / QK; b++) {
            long bo = off + (long) b * BLOCK;
            float d = f16(w, bo);
            int o = outOff + b * QK;
            for (int j = 0; j < QK / 2; j++) {
                int q = w.get(ValueLayout.JAVA_BYTE, bo + 2 + j) & 0xff;
                out[o + j] = d * ((q & 0xf) - 8);
                out[o + j + QK / 2] = d * ((q >> 4) - 8);
            }
        }
    }

    @Override
    public void quantize(float[] in, int inOff, MemorySegment w, long off, int n) {
        for (int b = 0; b < n / QK; b++) {
            long bo = off + (long) b * BLOCK;
            int o = inOff + b * QK;
            float amax = 0, max = 0;
            for (int j = 0; j < QK; j++) {
                float v = in[o + j];
                if (Math.abs(v) > amax) { amax = Math.abs(v); max = v; }
            }
            float d = max / -8f;
            float id = d != 0 ? 1f / d : 0f;
            putF16(w, bo, d);
            for (int j = 0; j < QK / 2; j++) {
                int q0 = Math.min(15, (int) (in[o + j] * id + 8.5f));
                int q1 = Math.min(15, (int) (in[o + j + QK / 2] * id + 8.5f));
                w.set(ValueLayout.JAVA_BYTE, bo + 2 + j, (byte) (q0 | (q1 << 4)));
            }
        }
    }

    @Override
    void decode(MemorySegment w, long off, float[] dst, int n) {
        for (int b = 0; b < n / QK; b++) {
            long bo = off + (long) b * BLOCK;
            float d = f16(w, bo);
            for (int k = 0; k < 16; k += Vec.L) {
                IntVector q = Vec.ints(w, bo + 2 + k);
                Vec.toFloat(Vec.lo(q).sub(8)).mul(d).intoArray(dst, b * QK + k);
                Vec.toFloat(Vec.hi(q).sub(8)).mul(d).intoArray(dst, b * QK + 16 + k);
            }
        }
    }

    // Per-type entry points (see QuantOps: one compiled loop per type).
    @Override public float dot(MemorySegment w, long off, float[] x, int xOff, int n) { return QuantOps.dot(this, w, off, x, xOff, n); }

    @Override
    void dot4(MemorySegment w, long off, float[] x, int x0, int x1, int x2, int x3, int n, float[] out, int o0, int o1, int o2, int o3) {
        QuantOps.dot4(this, w, off, x, x0, x1, x2, x3, n, out, o0, o1, o2, o3);
    }

    @Override
    public void matvec(MemorySegment w, int n, float[] x, int xOff, float[] out, int outOff, int r0, int r1) {
        QuantOps.matvec(this, w, n, x, xOff, out, outOff, r0, r1);
    }

    @Override
    public void gemm(MemorySegment w, int n, float[] x, int nb, float[] out, int outStride, int r0, int r1) {
        QuantOps.gemm(this, w, n, x, nb, out, outStride, r0, r1);
    }
}
