package dev.shovel.ggml;

import dev.shovel.gguf.GGMLType;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import java.lang.foreign.ValueLayout;

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

    /** Signed bytes j..j+L of block {@code bo} as floats. */
    private static FloatVector q(MemorySegment w, long bo, int j) {
        return Vec.bytesToFloat(Vec.bytes(w, bo + 2 + j));
    }

    // Fused kernel: per block, s = sum of q * x over the block, then acc += s * d.

    @Override
    public float dot(MemorySegment w, long off, float[] x, int xOff, int n) {
        if (!Vec.OK) return dotScalar(w, off, x, xOff, n);
        FloatVector acc = FloatVector.zero(Vec.F);
        for (int b = 0; b < n / QK; b++) {
            long bo = off + (long) b * BLOCK;
            int xo = xOff + b * QK;
            FloatVector s = q(w, bo, 0).mul(Vec.x(x, xo));
            for (int j = Vec.L; j < QK; j += Vec.L) s = q(w, bo, j).fma(Vec.x(x, xo + j), s);
            acc = s.fma(FloatVector.broadcast(Vec.F, f16(w, bo)), acc);
        }
        return Vec.sum(acc);
    }

    @Override
    public void matvec(MemorySegment w, int n, float[] x, int xOff, float[] out, int outOff, int r0, int r1) {
        BlockOps.matvec(this, w, n, x, xOff, out, outOff, r0, r1);
    }

    @Override
    public void gemm(MemorySegment w, int n, float[] x, int nb, float[] out, int outStride, int r0, int r1) {
        BlockOps.gemm(this, w, n, x, nb, out, outStride, r0, r1);
    }
}
