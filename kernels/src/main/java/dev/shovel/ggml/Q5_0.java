package dev.shovel.ggml;

import dev.shovel.gguf.GGMLType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;

/**
 * GGML_TYPE_Q5_0: blocks of 32 = fp16 d, uint32 qh (bit j = 5th bit of element j), then 16 bytes of low nibbles
 * (element j low nibble of byte j, element j+16 high nibble); x = d * (q - 16).
 */
public final class Q5_0 extends BlockOps {
    public static final Q5_0 INSTANCE = new Q5_0();
    static final int QK = 32, BLOCK = 22;

    /** Lane i of chunk k gets byte (16 * half + k + i) / 8 of qh; {@link #BITS} picks bit i % 8 of it. */
    static final VectorShuffle<Byte>[][] SPREAD = spread();
    static final ByteVector BITS = bits();

    @Override public GGMLType type() { return GGMLType.Q5_0; }

    @SuppressWarnings("unchecked")
    private static VectorShuffle<Byte>[][] spread() {
        if (!Vec.OK) return null;
        int chunks = 16 / Vec.L;
        VectorShuffle<Byte>[][] s = new VectorShuffle[2][chunks];
        for (int half = 0; half < 2; half++) {
            for (int c = 0; c < chunks; c++) {
                int[] idx = new int[Vec.L];
                for (int i = 0; i < Vec.L; i++) idx[i] = (16 * half + c * Vec.L + i) / 8;
                s[half][c] = VectorShuffle.fromArray(Vec.B, idx, 0);
            }
        }
        return s;
    }

    private static ByteVector bits() {
        if (!Vec.OK) return null;
        byte[] b = new byte[Vec.L];
        for (int i = 0; i < Vec.L; i++) b[i] = (byte) (1 << (i % 8));
        return ByteVector.fromArray(Vec.B, b, 0);
    }

    /** 5-bit quants of chunk c (elements 16 * half + c * L ..) from the nibbles and the qh bytes. */
    static ByteVector q5(ByteVector nibbles, ByteVector qh, int half, int c) {
        VectorMask<Byte> high = qh.rearrange(SPREAD[half][c]).and(BITS).compare(VectorOperators.NE, 0);
        return nibbles.lanewise(VectorOperators.OR, (byte) 16, high);
    }

    static int highBit(int qh, int e) { return (qh >>> e & 1) << 4; }

    @Override
    public void dequantize(MemorySegment w, long off, float[] out, int outOff, int n) {
        for (int b = 0; b < n / QK; b++) {
            long bo = off + (long) b * BLOCK;
            float d = f16(w, bo);
            int qh = w.get(I32, bo + 2);
            int o = outOff + b * QK;
            for (int j = 0; j < QK / 2; j++) {
                int q = w.get(ValueLayout.JAVA_BYTE, bo + 6 + j) & 0xff;
                out[o + j] = ((q & 0xf | highBit(qh, j)) - 16) * d;
                out[o + j + 16] = ((q >> 4 | highBit(qh, j + 16)) - 16) * d;
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
                if (amax < Math.abs(v)) { amax = Math.abs(v); max = v; }
            }
            float d = max / -16;
            float id = d != 0 ? 1f / d : 0f;
            putF16(w, bo, d);
            int qh = 0;
            for (int j = 0; j < QK / 2; j++) {
                int q0 = Math.min(31, QuantMath.truncByte(in[o + j] * id + 16.5f));
                int q1 = Math.min(31, QuantMath.truncByte(in[o + j + 16] * id + 16.5f));
                w.set(ValueLayout.JAVA_BYTE, bo + 6 + j, (byte) (q0 & 0xf | (q1 & 0xf) << 4));
                qh |= (q0 >> 4 & 1) << j | (q1 >> 4 & 1) << (j + 16);
            }
            w.set(I32, bo + 2, qh);
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
            ByteVector qh = Vec.bytes(w, bo + 2);
            for (int c = 0; c < 16 / Vec.L; c++) {
                int k = c * Vec.L;
                ByteVector q = Vec.bytes(w, bo + 6 + k);
                FloatVector lo = Vec.bytesToFloat(q5(q.and((byte) 0xf), qh, 0, c).sub((byte) 16)).mul(d);
                FloatVector hi = Vec.bytesToFloat(q5(q.lanewise(VectorOperators.LSHR, 4), qh, 1, c).sub((byte) 16)).mul(d);
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
            float d = f16(w, bo);
            ByteVector qh = Vec.bytes(w, bo + 2);
            for (int c = 0; c < 16 / Vec.L; c++) {
                int k = c * Vec.L;
                ByteVector q = Vec.bytes(w, bo + 6 + k);
                FloatVector lo = Vec.bytesToFloat(q5(q.and((byte) 0xf), qh, 0, c).sub((byte) 16)).mul(d);
                FloatVector hi = Vec.bytesToFloat(q5(q.lanewise(VectorOperators.LSHR, 4), qh, 1, c).sub((byte) 16)).mul(d);
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
