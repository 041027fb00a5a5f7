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

    // Fused kernels: per block, s = sum of q * x over the block, then acc += s * d. dot4 does, per batch row, the
    // same operations in the same order as dot, so GEMM equals matvec bit for bit.

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
    void dot4(MemorySegment w, long off, float[] x, int x0, int x1, int x2, int x3, int n, float[] out, int o0, int o1, int o2, int o3) {
        if (!Vec.OK) { dot4Scalar(w, off, x, x0, x1, x2, x3, n, out, o0, o1, o2, o3); return; }
        FloatVector a0 = FloatVector.zero(Vec.F), a1 = a0, a2 = a0, a3 = a0;
        for (int b = 0; b < n / QK; b++) {
            long bo = off + (long) b * BLOCK;
            int i = b * QK;
            FloatVector q = q(w, bo, 0);
            FloatVector s0 = q.mul(Vec.x(x, x0 + i)), s1 = q.mul(Vec.x(x, x1 + i));
            FloatVector s2 = q.mul(Vec.x(x, x2 + i)), s3 = q.mul(Vec.x(x, x3 + i));
            for (int j = Vec.L; j < QK; j += Vec.L) {
                q = q(w, bo, j);
                s0 = q.fma(Vec.x(x, x0 + i + j), s0);
                s1 = q.fma(Vec.x(x, x1 + i + j), s1);
                s2 = q.fma(Vec.x(x, x2 + i + j), s2);
                s3 = q.fma(Vec.x(x, x3 + i + j), s3);
            }
            FloatVector d = FloatVector.broadcast(Vec.F, f16(w, bo));
            a0 = s0.fma(d, a0);
            a1 = s1.fma(d, a1);
            a2 = s2.fma(d, a2);
            a3 = s3.fma(d, a3);
        }
        out[o0] = Vec.sum(a0);
        out[o1] = Vec.sum(a1);
        out[o2] = Vec.sum(a2);
        out[o3] = Vec.sum(a3);
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
