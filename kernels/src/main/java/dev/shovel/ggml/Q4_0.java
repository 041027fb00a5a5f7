package dev.shovel.ggml;

import dev.shovel.gguf.GGMLType;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import java.lang.foreign.ValueLayout;
import jdk.incubator.vector.IntVector;

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

    /** Bytes j..j+L of block {@code bo} as int lanes; low nibbles are elements j.., high nibbles j+16... */
    private static IntVector q(MemorySegment w, long bo, int j) {
        return Vec.ints(w, bo + 2 + j);
    }

    private static FloatVector lo(IntVector q) { return Vec.toFloat(Vec.lo(q).sub(8)); }

    private static FloatVector hi(IntVector q) { return Vec.toFloat(Vec.hi(q).sub(8)); }

    // Fused kernel as in Q8_0: per block, s = sum of (q - 8) * x, then acc += s * d.

    @Override
    public float dot(MemorySegment w, long off, float[] x, int xOff, int n) {
        if (!Vec.OK) return dotScalar(w, off, x, xOff, n);
        FloatVector acc = FloatVector.zero(Vec.F);
        for (int b = 0; b < n / QK; b++) {
            long bo = off + (long) b * BLOCK;
            int xo = xOff + b * QK;
            // the first slice is peeled so no vector variable is ever null (a null phi makes C2 box vectors)
            IntVector q = q(w, bo, 0);
            FloatVector s = lo(q).mul(Vec.x(x, xo));
            s = hi(q).fma(Vec.x(x, xo + 16), s);
            for (int j = Vec.L; j < QK / 2; j += Vec.L) {
                q = q(w, bo, j);
                s = lo(q).fma(Vec.x(x, xo + j), s);
                s = hi(q).fma(Vec.x(x, xo + 16 + j), s);
            }
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
