package dev.shovel.ggml;

import dev.shovel.gguf.GGMLType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import jdk.incubator.vector.FloatVector;

/** Planar Q8_0: per block, s = sum of q * x over its 32 elements, then acc += s * d. Prepared x is x itself. */
final class PlanarQ8_0 extends Planar {
    static final PlanarQ8_0 INSTANCE = new PlanarQ8_0();

    @Override public GGMLType type() { return GGMLType.Q8_0; }

    @Override int qsBytes() { return 32; }

    @Override int width() { return QK; }

    @Override
    void prepareBlock(float[] x, int i, float[] out, int o) { System.arraycopy(x, i, out, o, QK); }

    @Override
    void decode(MemorySegment w, long q, float d, float[] out, int o) {
        for (int j = 0; j < QK; j++) out[o + j] = d * w.get(ValueLayout.JAVA_BYTE, q + j);
    }

    private static FloatVector q(MemorySegment w, long off) { return Vec.bytesToFloat(Vec.bytes(w, off)); }

    @Override
    float dot(MemorySegment w, long q, float[] sc, int so, float[] p, int po, int nb) {
        if (!Vec.OK) return dotScalar(w, q, sc, so, p, po, nb);
        FloatVector acc = FloatVector.zero(Vec.F);
        for (int b = 0; b < nb; b++) {
            long qo = q + b * 32L;
            int i = po + b * QK;
            FloatVector s = q(w, qo).mul(Vec.x(p, i));
            for (int j = Vec.L; j < QK; j += Vec.L) s = q(w, qo + j).fma(Vec.x(p, i + j), s);
            acc = s.fma(FloatVector.broadcast(Vec.F, sc[so + b]), acc);
        }
        return Vec.sum(acc);
    }

    /** Plain Java fallback for vector sizes the kernels do not handle. */
    private static float dotScalar(MemorySegment w, long q, float[] sc, int so, float[] p, int po, int nb) {
        double s = 0;
        for (int b = 0; b < nb; b++) {
            for (int j = 0; j < QK; j++) s += (double) sc[so + b] * w.get(ValueLayout.JAVA_BYTE, q + b * 32L + j) * p[po + b * QK + j];
        }
        return (float) s;
    }

    @Override
    void dot4(MemorySegment w, long q, float[] sc, int so, float[] p, int po, int k0, int k1, float[] acc, int ao) {
        FloatVector a0, a1, a2, a3;
        if (k0 == 0) {
            a0 = a1 = a2 = a3 = FloatVector.zero(Vec.F);
        } else {
            a0 = Vec.x(acc, ao);
            a1 = Vec.x(acc, ao + Vec.L);
            a2 = Vec.x(acc, ao + 2 * Vec.L);
            a3 = Vec.x(acc, ao + 3 * Vec.L);
        }
        for (int b = k0; b < k1; b++) {
            long qo = q + b * 32L;
            int i = po + b * 4 * QK;
            FloatVector v = q(w, qo);
            FloatVector s0 = v.mul(Vec.x(p, i)), s1 = v.mul(Vec.x(p, i + QK));
            FloatVector s2 = v.mul(Vec.x(p, i + 2 * QK)), s3 = v.mul(Vec.x(p, i + 3 * QK));
            for (int j = Vec.L; j < QK; j += Vec.L) {
                v = q(w, qo + j);
                s0 = v.fma(Vec.x(p, i + j), s0);
                s1 = v.fma(Vec.x(p, i + QK + j), s1);
                s2 = v.fma(Vec.x(p, i + 2 * QK + j), s2);
                s3 = v.fma(Vec.x(p, i + 3 * QK + j), s3);
            }
            FloatVector d = FloatVector.broadcast(Vec.F, sc[so + b]);
            a0 = s0.fma(d, a0);
            a1 = s1.fma(d, a1);
            a2 = s2.fma(d, a2);
            a3 = s3.fma(d, a3);
        }
        a0.intoArray(acc, ao);
        a1.intoArray(acc, ao + Vec.L);
        a2.intoArray(acc, ao + 2 * Vec.L);
        a3.intoArray(acc, ao + 3 * Vec.L);
    }
}
