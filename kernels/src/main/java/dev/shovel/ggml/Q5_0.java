package dev.shovel.ggml;

import dev.shovel.gguf.GGMLType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

/**
 * GGML_TYPE_Q5_0: blocks of 32 = fp16 d, uint32 qh (bit j = 5th bit of element j), then 16 bytes of low nibbles
 * (element j low nibble of byte j, element j+16 high nibble); x = d * (q - 16).
 */
public final class Q5_0 extends QuantOps {
    public static final Q5_0 INSTANCE = new Q5_0();
    static final int QK = 32, BLOCK = 22;

    @Override public GGMLType type() { return GGMLType.Q5_0; }

    /** 5th bits (as 16 or 0) of the L elements starting at element {@code first}, from the 32-bit qh. */
    static IntVector high(int qh, int first) {
        return Vec.bit(IntVector.broadcast(Vec.I, qh >>> first).lanewise(VectorOperators.LSHR, Vec.IOTA), 0, 4);
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
    void decode(MemorySegment w, long off, float[] dst, int n) {
        for (int b = 0; b < n / QK; b++) {
            long bo = off + (long) b * BLOCK;
            float d = f16(w, bo);
            int qh = w.get(I32, bo + 2);
            for (int k = 0; k < 16; k += Vec.L) {
                IntVector q = Vec.ints(w, bo + 6 + k);
                Vec.toFloat(Vec.lo(q).or(high(qh, k)).sub(16)).mul(d).intoArray(dst, b * QK + k);
                Vec.toFloat(Vec.hi(q).or(high(qh, 16 + k)).sub(16)).mul(d).intoArray(dst, b * QK + 16 + k);
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
