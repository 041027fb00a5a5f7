package dev.shovel.ggml;

import dev.shovel.gguf.GGMLType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import jdk.incubator.vector.FloatVector;

/** GGML_TYPE_Q8_0: blocks of 32 = fp16 scale d, then 32 int8 qs; x = d * q. */
public final class Q8_0 extends BlockOps {
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
    public float dot(MemorySegment w, long off, float[] x, int xOff, int n) {
        if (!Vec.OK) return dotScalar(w, off, x, xOff, n);
        FloatVector a0 = FloatVector.zero(Vec.F), a1 = a0;
        for (int b = 0; b < n / QK; b++) {
            long bo = off + (long) b * BLOCK;
            int xo = xOff + b * QK;
            float d = f16(w, bo);
            for (int k = 0; k < QK; k += 2 * Vec.L) {
                FloatVector w0 = Vec.bytesToFloat(Vec.bytes(w, bo + 2 + k)).mul(d);
                FloatVector w1 = Vec.bytesToFloat(Vec.bytes(w, bo + 2 + k + Vec.L)).mul(d);
                a0 = w0.fma(Vec.x(x, xo + k), a0);
                a1 = w1.fma(Vec.x(x, xo + k + Vec.L), a1);
            }
        }
        return Vec.sum(a0.add(a1));
    }

    @Override
    void dot4(MemorySegment w, long off, float[] x, int x0, int x1, int x2, int x3, int n,
              float[] out, int o0, int o1, int o2, int o3) {
        if (!Vec.OK) { dot4Scalar(w, off, x, x0, x1, x2, x3, n, out, o0, o1, o2, o3); return; }
        FloatVector a0 = FloatVector.zero(Vec.F), a1 = a0, b0 = a0, b1 = a0, c0 = a0, c1 = a0, e0 = a0, e1 = a0;
        for (int b = 0; b < n / QK; b++) {
            long bo = off + (long) b * BLOCK;
            float d = f16(w, bo);
            for (int k = 0; k < QK; k += 2 * Vec.L) {
                FloatVector w0 = Vec.bytesToFloat(Vec.bytes(w, bo + 2 + k)).mul(d);
                FloatVector w1 = Vec.bytesToFloat(Vec.bytes(w, bo + 2 + k + Vec.L)).mul(d);
                int i = b * QK + k, j = i + Vec.L;
                a0 = w0.fma(Vec.x(x, x0 + i), a0); a1 = w1.fma(Vec.x(x, x0 + j), a1);
                b0 = w0.fma(Vec.x(x, x1 + i), b0); b1 = w1.fma(Vec.x(x, x1 + j), b1);
                c0 = w0.fma(Vec.x(x, x2 + i), c0); c1 = w1.fma(Vec.x(x, x2 + j), c1);
                e0 = w0.fma(Vec.x(x, x3 + i), e0); e1 = w1.fma(Vec.x(x, x3 + j), e1);
            }
        }
        out[o0] = Vec.sum(a0.add(a1));
        out[o1] = Vec.sum(b0.add(b1));
        out[o2] = Vec.sum(c0.add(c1));
        out[o3] = Vec.sum(e0.add(e1));
    }
}
