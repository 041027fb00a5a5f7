package dev.shovel.ggml;

import static jdk.incubator.vector.VectorOperators.LSHL;
import static jdk.incubator.vector.VectorOperators.OR;
import static jdk.incubator.vector.VectorOperators.S2I;

import dev.shovel.gguf.GGMLType;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;

/** GGML_TYPE_F16: IEEE half floats. */
public final class F16 extends BlockOps {
    public static final F16 INSTANCE = new F16();

    @Override public GGMLType type() { return GGMLType.F16; }

    @Override
    public void dequantize(MemorySegment w, long off, float[] out, int outOff, int n) {
        for (int i = 0; i < n; i++) out[outOff + i] = f16(w, off + 2L * i);
    }

    @Override
    public void quantize(float[] in, int inOff, MemorySegment w, long off, int n) {
        for (int i = 0; i < n; i++) putF16(w, off + 2L * i, in[inOff + i]);
    }

    private static FloatVector load(MemorySegment w, long off) {
        return Vec.halfToFloat(ShortVector.fromMemorySegment(Vec.S, w, off, ByteOrder.LITTLE_ENDIAN));
    }

    @Override
    void decodeSpan(MemorySegment w, long off, float[] dst, int o, int n) {
        int i = 0;
        if (Vec.OK) for (; i + Vec.L <= n; i += Vec.L) load(w, off + 2L * i).intoArray(dst, o + i);
        if (i < n) dequantize(w, off + 2L * i, dst, o + i, n - i);
    }

    /**
     * The dot and axpy loops are inlined into the attention loop, so they use only the JDK's force-inlined vector calls
     * (helpers of ours past C2's node budget would stay calls and box the vectors they pass): {@link Vec#halfToFloat}
     * written out.
     */
    @Override
    public float dot(MemorySegment w, long off, float[] x, int xOff, int n) {
        int i = 0;
        float s = 0;
        if (Vec.OK && n >= Vec.L) {
            FloatVector a0 = FloatVector.zero(Vec.F), a1 = a0; // two accumulators, taking turns
            for (; i + Vec.L <= n; i += Vec.L) {
                IntVector h = (IntVector) ShortVector.fromMemorySegment(Vec.S, w, off + 2L * i, ByteOrder.LITTLE_ENDIAN).convertShape(S2I, Vec.I, 0);
                FloatVector v = h.lanewise(LSHL, 13).and(0x8fffe000).reinterpretAsFloats().mul(0x1p112f);
                VectorMask<Integer> special = h.and(0x7c00).eq(0x7c00);
                if (special.anyTrue()) v = v.reinterpretAsInts().lanewise(OR, 0x7f800000, special).reinterpretAsFloats();
                FloatVector t = v.fma(FloatVector.fromArray(Vec.F, x, xOff + i), a0);
                a0 = a1;
                a1 = t;
            }
            s = Vec.sum(a0.add(a1));
        }
        for (; i < n; i++) s += f16(w, off + 2L * i) * x[xOff + i];
        return s;
    }

    @Override
    public void axpy(MemorySegment w, long off, float a, float[] y, int yOff, int n) {
        int i = 0;
        if (Vec.OK) {
            FloatVector av = FloatVector.broadcast(Vec.F, a);
            for (; i + Vec.L <= n; i += Vec.L) {
                IntVector h = (IntVector) ShortVector.fromMemorySegment(Vec.S, w, off + 2L * i, ByteOrder.LITTLE_ENDIAN).convertShape(S2I, Vec.I, 0);
                FloatVector v = h.lanewise(LSHL, 13).and(0x8fffe000).reinterpretAsFloats().mul(0x1p112f);
                VectorMask<Integer> special = h.and(0x7c00).eq(0x7c00);
                if (special.anyTrue()) v = v.reinterpretAsInts().lanewise(OR, 0x7f800000, special).reinterpretAsFloats();
                v.fma(av, FloatVector.fromArray(Vec.F, y, yOff + i)).intoArray(y, yOff + i);
            }
        }
        for (; i < n; i++) y[yOff + i] = Math.fma(a, f16(w, off + 2L * i), y[yOff + i]);
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
