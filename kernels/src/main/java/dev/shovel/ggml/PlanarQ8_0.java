package dev.shovel.ggml;

import dev.shovel.gguf.GGMLType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import jdk.incubator.vector.FloatVector;

/** Planar Q8_0: per block, s = sum of q * x over its 32 elements, then acc += s * d. Prepared x is x itself (float bits). */
final class PlanarQ8_0 extends RowPlanar {
    static final PlanarQ8_0 INSTANCE = new PlanarQ8_0();

    @Override public GGMLType type() { return GGMLType.Q8_0; }

    @Override int qsBytes() { return 32; }

    @Override int width() { return QK; }

    @Override
    void prepareBlock(float[] x, int i, int[] out, int o) {
        for (int j = 0; j < QK; j++) out[o + j] = Float.floatToRawIntBits(x[i + j]);
    }

    private static FloatVector q(MemorySegment w, long off) { return Vec.bytesToFloat(Vec.bytes(w, off)); }

    @Override
    float dot(MemorySegment w, long q, float[] sc, int so, int[] p, int po, int nb) {
        if (!Vec.OK) return dotScalar(w, q, sc, so, p, po, nb);
        FloatVector acc = FloatVector.zero(Vec.F);
        for (int b = 0; b < nb; b++) {
            long qo = q + b * 32L;
            int i = po + b * QK;
            FloatVector s = q(w, qo).mul(Vec.xi(p, i));
            for (int j = Vec.L; j < QK; j += Vec.L) s = q(w, qo + j).fma(Vec.xi(p, i + j), s);
            acc = s.fma(FloatVector.broadcast(Vec.F, sc[so + b]), acc);
        }
        return Vec.sum(acc);
    }

    /** Plain Java fallback for vector sizes the kernels do not handle. */
    private static float dotScalar(MemorySegment w, long q, float[] sc, int so, int[] p, int po, int nb) {
        double s = 0;
        for (int b = 0; b < nb; b++) {
            for (int j = 0; j < QK; j++) s += (double) sc[so + b] * w.get(ValueLayout.JAVA_BYTE, q + b * 32L + j) * Float.intBitsToFloat(p[po + b * QK + j]);
        }
        return (float) s;
    }

    @Override
    void decode(MemorySegment w, long q, float d, float[] out, int o) {
        for (int j = 0; j < QK; j++) out[o + j] = d * w.get(ValueLayout.JAVA_BYTE, q + j);
    }

    @Override
    void decodeVec(MemorySegment w, long q, float d, float[] out, int o) {
        FloatVector dv = FloatVector.broadcast(Vec.F, d);
        for (int j = 0; j < QK; j += Vec.L) q(w, q + j).mul(dv).intoArray(out, o + j);
    }
}
