package dev.shovel.ggml;

import dev.shovel.gguf.GGMLType;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;

/** GGML_TYPE_F32: plain little-endian floats. */
public final class F32 extends BlockOps {
    public static final F32 INSTANCE = new F32();

    @Override public GGMLType type() { return GGMLType.F32; }

    @Override
    public void dequantize(MemorySegment w, long off, float[] out, int outOff, int n) {
        for (int i = 0; i < n; i++) out[outOff + i] = w.get(F32L, off + 4L * i);
    }

    @Override
    public void quantize(float[] in, int inOff, MemorySegment w, long off, int n) {
        for (int i = 0; i < n; i++) w.set(F32L, off + 4L * i, in[inOff + i]);
    }

    private static FloatVector load(MemorySegment w, long off) {
        return FloatVector.fromMemorySegment(Vec.F, w, off, ByteOrder.LITTLE_ENDIAN);
    }

    @Override
    void decodeSpan(MemorySegment w, long off, float[] dst, int o, int n) {
        int i = 0;
        if (Vec.OK) for (; i + Vec.L <= n; i += Vec.L) load(w, off + 4L * i).intoArray(dst, o + i);
        if (i < n) dequantize(w, off + 4L * i, dst, o + i, n - i);
    }

    @Override
    public float dot(MemorySegment w, long off, float[] x, int xOff, int n) {
        int i = 0;
        float s = 0;
        if (Vec.OK && n >= 2 * Vec.L) {
            FloatVector a0 = FloatVector.zero(Vec.F), a1 = a0;
            for (; i + 2 * Vec.L <= n; i += 2 * Vec.L) {
                long o = off + 4L * i;
                a0 = load(w, o).fma(FloatVector.fromArray(Vec.F, x, xOff + i), a0);
                a1 = load(w, o + 4L * Vec.L).fma(FloatVector.fromArray(Vec.F, x, xOff + i + Vec.L), a1);
            }
            s = Vec.sum(a0.add(a1));
        }
        for (; i < n; i++) s += w.get(F32L, off + 4L * i) * x[xOff + i];
        return s;
    }

    // dot and axpy are inlined into the attention loop: only the JDK's force-inlined vector calls there, since helpers
    // of ours past C2's node budget would stay calls and box the vectors they pass.
    @Override
    public void axpy(MemorySegment w, long off, float a, float[] y, int yOff, int n) {
        int i = 0;
        if (Vec.OK) {
            FloatVector av = FloatVector.broadcast(Vec.F, a);
            for (; i + Vec.L <= n; i += Vec.L) {
                FloatVector.fromMemorySegment(Vec.F, w, off + 4L * i, ByteOrder.LITTLE_ENDIAN)
                        .fma(av, FloatVector.fromArray(Vec.F, y, yOff + i)).intoArray(y, yOff + i);
            }
        }
        for (; i < n; i++) y[yOff + i] = Math.fma(a, w.get(F32L, off + 4L * i), y[yOff + i]);
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
