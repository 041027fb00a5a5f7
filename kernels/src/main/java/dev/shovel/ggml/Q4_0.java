package dev.shovel.ggml;

import dev.shovel.gguf.GGMLType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;

/**
 * GGML_TYPE_Q4_0: blocks of 32 = fp16 scale d, then 16 bytes; element j is the low nibble of byte j and
 * element j+16 its high nibble; x = d * (q - 8).
 */
public final class Q4_0 extends BlockOps {
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
    public float dot(MemorySegment w, long off, float[] x, int xOff, int n) {
        if (!Vec.OK) return dotScalar(w, off, x, xOff, n);
        FloatVector a0 = FloatVector.zero(Vec.F), a1 = a0;
        for (int b = 0; b < n / QK; b++) {
            long bo = off + (long) b * BLOCK;
            int xo = xOff + b * QK;
            float d = f16(w, bo);
            for (int k = 0; k < QK / 2; k += Vec.L) {
                ByteVector q = Vec.bytes(w, bo + 2 + k);
                FloatVector lo = Vec.lo(q).sub(8f).mul(d), hi = Vec.hi(q).sub(8f).mul(d);
                a0 = lo.fma(Vec.x(x, xo + k), a0);
                a1 = hi.fma(Vec.x(x, xo + 16 + k), a1);
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
            for (int k = 0; k < QK / 2; k += Vec.L) {
                ByteVector q = Vec.bytes(w, bo + 2 + k);
                FloatVector lo = Vec.lo(q).sub(8f).mul(d), hi = Vec.hi(q).sub(8f).mul(d);
                int i = b * QK + k, j = i + 16;
                a0 = lo.fma(Vec.x(x, x0 + i), a0); a1 = hi.fma(Vec.x(x, x0 + j), a1);
                b0 = lo.fma(Vec.x(x, x1 + i), b0); b1 = hi.fma(Vec.x(x, x1 + j), b1);
                c0 = lo.fma(Vec.x(x, x2 + i), c0); c1 = hi.fma(Vec.x(x, x2 + j), c1);
                e0 = lo.fma(Vec.x(x, x3 + i), e0); e1 = hi.fma(Vec.x(x, x3 + j), e1);
            }
        }
        out[o0] = Vec.sum(a0.add(a1));
        out[o1] = Vec.sum(b0.add(b1));
        out[o2] = Vec.sum(c0.add(c1));
        out[o3] = Vec.sum(e0.add(e1));
    }
}
