package dev.shovel.ggml;

import dev.shovel.gguf.GGMLType;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;

/** GGML_TYPE_F32: plain little-endian floats. */
public final class F32 extends TypeOps {
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

    @Override
    public float dot(MemorySegment w, long off, float[] x, int xOff, int n) {
        int i = 0;
        float tail = 0;
        if (Vec.OK && n >= 4 * Vec.L) {
            FloatVector a0 = FloatVector.zero(Vec.F), a1 = a0, a2 = a0, a3 = a0;
            int step = 4 * Vec.L;
            for (; i + step <= n; i += step) {
                long o = off + 4L * i;
                a0 = FloatVector.fromMemorySegment(Vec.F, w, o, ByteOrder.LITTLE_ENDIAN).fma(FloatVector.fromArray(Vec.F, x, xOff + i), a0);
                a1 = FloatVector.fromMemorySegment(Vec.F, w, o + 4L * Vec.L, ByteOrder.LITTLE_ENDIAN).fma(FloatVector.fromArray(Vec.F, x, xOff + i + Vec.L), a1);
                a2 = FloatVector.fromMemorySegment(Vec.F, w, o + 8L * Vec.L, ByteOrder.LITTLE_ENDIAN).fma(FloatVector.fromArray(Vec.F, x, xOff + i + 2 * Vec.L), a2);
                a3 = FloatVector.fromMemorySegment(Vec.F, w, o + 12L * Vec.L, ByteOrder.LITTLE_ENDIAN).fma(FloatVector.fromArray(Vec.F, x, xOff + i + 3 * Vec.L), a3);
            }
            tail = Vec.sum(a0.add(a1).add(a2.add(a3)));
        }
        for (; i < n; i++) tail += w.get(F32L, off + 4L * i) * x[xOff + i];
        return tail;
    }
}
