package dev.shovel.ggml;

import dev.shovel.gguf.GGMLType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** GGML_TYPE_Q8_0: blocks of 32 = fp16 scale d, then 32 int8 qs; x = d * q. */
public final class Q8_0 extends QuantOps {
    public static final Q8_0 INSTANCE = new Q8_0();
    static final int QK = 32, BLOCK = 34;

    @Override public GGMLType type() { return GGMLType.Q8_0; }

    @Override
    public void dequantize(MemorySegment w, long off, float[] out, int outOff, int n) {
        for (int b = 0; b < n / QK; b++) {
            long bo = off + (long) b * BLOCK;
            float d = f16(w, bo);
            for (int j = 0; j < QK; j++) out[outOff + b * QK + j] = d * w.get(ValueLayout.JAVA_BYTE, bo + 2 + j);
        }
    }

    @Override
    public void quantize(float[] in, int inOff, MemorySegment w, long off, int n) {
        for (int b = 0; b < n / QK; b++) {
            long bo = off + (long) b * BLOCK;
            float amax = 0;
            for (int j = 0; j < QK; j++) amax = Math.max(amax, Math.abs(in[inOff + b * QK + j]));
            float d = amax / 127f;
            float id = d != 0 ? 1f / d : 0f;
            putF16(w, bo, d);
            for (int j = 0; j < QK; j++) {
                w.set(ValueLayout.JAVA_BYTE, bo + 2 + j, (byte) QuantMath.roundf(in[inOff + b * QK + j] * id));
            }
        }
    }

    @Override
    void decode(MemorySegment w, long off, float[] dst, int n) {
        for (int b = 0; b < n / QK; b++) {
            long bo = off + (long) b * BLOCK;
            float d = f16(w, bo);
            for (int k = 0; k < QK; k += Vec.L) Vec.bytesToFloat(Vec.bytes(w, bo + 2 + k)).mul(d).intoArray(dst, b * QK + k);
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
