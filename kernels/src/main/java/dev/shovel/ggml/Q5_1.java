package dev.shovel.ggml;

import static dev.shovel.ggml.Q5_0.highBit;
import static dev.shovel.ggml.Q5_0.q5;

import dev.shovel.gguf.GGMLType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * GGML_TYPE_Q5_1: blocks of 32 = fp16 d, fp16 m, uint32 qh (5th bits), 16 bytes of nibbles laid out as in Q5_0;
 * x = q * d + m.
 */
public final class Q5_1 extends BlockOps {
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
    public float dot(MemorySegment w, long off, float[] x, int xOff, int n) {
        if (!Vec.OK) return dotScalar(w, off, x, xOff, n);
        FloatVector a0 = FloatVector.zero(Vec.F), a1 = a0;
        for (int b = 0; b < n / QK; b++) {
            long bo = off + (long) b * BLOCK;
            int xo = xOff + b * QK;
            float d = f16(w, bo), m = f16(w, bo + 2);
            ByteVector qh = Vec.bytes(w, bo + 4);
            for (int c = 0; c < 16 / Vec.L; c++) {
                int k = c * Vec.L;
                ByteVector q = Vec.bytes(w, bo + 8 + k);
                FloatVector lo = Vec.bytesToFloat(q5(q.and((byte) 0xf), qh, 0, c)).mul(d).add(m);
                FloatVector hi = Vec.bytesToFloat(q5(q.lanewise(VectorOperators.LSHR, 4), qh, 1, c)).mul(d).add(m);
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
            int xo = b * QK;
            float d = f16(w, bo), m = f16(w, bo + 2);
            ByteVector qh = Vec.bytes(w, bo + 4);
            for (int c = 0; c < 16 / Vec.L; c++) {
                int k = c * Vec.L;
                ByteVector q = Vec.bytes(w, bo + 8 + k);
                FloatVector lo = Vec.bytesToFloat(q5(q.and((byte) 0xf), qh, 0, c)).mul(d).add(m);
                FloatVector hi = Vec.bytesToFloat(q5(q.lanewise(VectorOperators.LSHR, 4), qh, 1, c)).mul(d).add(m);
                int i = xo + k, j = xo + 16 + k;
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
