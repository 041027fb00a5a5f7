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
    void decodeSpan(MemorySegment w, long off, float[] dst, int o, int n) {
        int i = 0;
        if (Vec.OK) for (; i + Vec.L <= n; i += Vec.L) load(w, off + 2L * i).intoArray(dst, o + i);
        if (i < n) dequantize(w, off + 2L * i, dst, o + i, n - i);
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
