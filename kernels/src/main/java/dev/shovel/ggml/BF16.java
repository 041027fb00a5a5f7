package dev.shovel.ggml;

import dev.shovel.gguf.GGMLType;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.ShortVector;

/** GGML_TYPE_BF16: the upper 16 bits of an IEEE float. */
public final class BF16 extends BlockOps {
    public static final BF16 INSTANCE = new BF16();

    @Override public GGMLType type() { return GGMLType.BF16; }

    public static float toFloat(short bits) { return Float.intBitsToFloat(bits << 16); }

    /** Round to nearest even, as ggml's {@code ggml_compute_fp32_to_bf16}; NaN stays quiet NaN. */
    public static short fromFloat(float f) {
        int u = Float.floatToRawIntBits(f);
        if ((u & 0x7fffffff) > 0x7f800000) return (short) ((u >>> 16) | 64);
        return (short) ((u + (0x7fff + ((u >>> 16) & 1))) >>> 16);
    }

    @Override
    public void dequantize(MemorySegment w, long off, float[] out, int outOff, int n) {
        for (int i = 0; i < n; i++) out[outOff + i] = toFloat(w.get(I16, off + 2L * i));
    }

    @Override
    public void quantize(float[] in, int inOff, MemorySegment w, long off, int n) {
        for (int i = 0; i < n; i++) w.set(I16, off + 2L * i, fromFloat(in[inOff + i]));
    }

    private static FloatVector load(MemorySegment w, long off) {
        return Vec.bf16ToFloat(ShortVector.fromMemorySegment(Vec.S, w, off, ByteOrder.LITTLE_ENDIAN));
    }

    @Override
    public float dot(MemorySegment w, long off, float[] x, int xOff, int n) {
        int i = 0;
        float s = 0;
        if (Vec.OK && n >= 2 * Vec.L) {
            FloatVector a0 = FloatVector.zero(Vec.F), a1 = a0;
            for (; i + 2 * Vec.L <= n; i += 2 * Vec.L) {
                long o = off + 2L * i;
                a0 = load(w, o).fma(Vec.x(x, xOff + i), a0);
                a1 = load(w, o + 2L * Vec.L).fma(Vec.x(x, xOff + i + Vec.L), a1);
            }
            s = Vec.sum(a0.add(a1));
        }
        for (; i < n; i++) s += toFloat(w.get(I16, off + 2L * i)) * x[xOff + i];
        return s;
    }

    @Override
    void dot4(MemorySegment w, long off, float[] x, int x0, int x1, int x2, int x3, int n,
              float[] out, int o0, int o1, int o2, int o3) {
        int i = 0;
        float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        if (Vec.OK && n >= 2 * Vec.L) {
            FloatVector a0 = FloatVector.zero(Vec.F), a1 = a0, b0 = a0, b1 = a0, c0 = a0, c1 = a0, e0 = a0, e1 = a0;
            for (; i + 2 * Vec.L <= n; i += 2 * Vec.L) {
                long o = off + 2L * i;
                FloatVector w0 = load(w, o), w1 = load(w, o + 2L * Vec.L);
                int j = i + Vec.L;
                a0 = w0.fma(Vec.x(x, x0 + i), a0); a1 = w1.fma(Vec.x(x, x0 + j), a1);
                b0 = w0.fma(Vec.x(x, x1 + i), b0); b1 = w1.fma(Vec.x(x, x1 + j), b1);
                c0 = w0.fma(Vec.x(x, x2 + i), c0); c1 = w1.fma(Vec.x(x, x2 + j), c1);
                e0 = w0.fma(Vec.x(x, x3 + i), e0); e1 = w1.fma(Vec.x(x, x3 + j), e1);
            }
            s0 = Vec.sum(a0.add(a1));
            s1 = Vec.sum(b0.add(b1));
            s2 = Vec.sum(c0.add(c1));
            s3 = Vec.sum(e0.add(e1));
        }
        for (; i < n; i++) {
            float v = toFloat(w.get(I16, off + 2L * i));
            s0 += v * x[x0 + i];
            s1 += v * x[x1 + i];
            s2 += v * x[x2 + i];
            s3 += v * x[x3 + i];
        }
        out[o0] = s0;
        out[o1] = s1;
        out[o2] = s2;
        out[o3] = s3;
    }

    // Per-type loop entry points (see BlockOps.gemm).
    @Override
    public void matvec(MemorySegment w, int n, float[] x, int xOff, float[] out, int outOff, int r0, int r1) {
        BlockOps.matvec(this, w, n, x, xOff, out, outOff, r0, r1);
    }

    @Override
    public void gemm(MemorySegment w, int n, float[] x, int nb, float[] out, int outStride, int r0, int r1) {
        BlockOps.gemm(this, w, n, x, nb, out, outStride, r0, r1);
    }
}
