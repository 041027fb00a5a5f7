package dev.shovel.ggml;

import dev.shovel.gguf.GGMLType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Planar Q4_0. Byte j of a block holds element j (low nibble) and j+16 (high); x = d * (q - 8). With v the whole
 * byte (lo + 16 hi): sum (lo - 8) xl + (hi - 8) xh = sum v xl + hi (xh - 16 xl) - 8 (xl + xh). The kernel converts
 * v and hi, with no mask or subtraction; a prepared block holds xl, xh - 16 xl and -8 (xl + xh), 16 floats each.
 */
final class PlanarQ4_0 extends Planar {
    static final PlanarQ4_0 INSTANCE = new PlanarQ4_0();
    private static final int E = 48, H = 16, C = 32;

    @Override public GGMLType type() { return GGMLType.Q4_0; }

    @Override int qsBytes() { return 16; }

    @Override int width() { return E; }

    @Override
    void prepareBlock(float[] x, int i, float[] out, int o) {
        for (int j = 0; j < 16; j++) {
            float lo = x[i + j], hi = x[i + 16 + j];
            out[o + j] = lo;
            out[o + H + j] = hi - 16 * lo;
            out[o + C + j] = -8 * (lo + hi);
        }
    }

    /** L quant bytes at {@code off}, zero-extended to int lanes. */
    private static IntVector v(MemorySegment w, long off) {
        return (IntVector) Vec.bytes(w, off).convertShape(VectorOperators.ZERO_EXTEND_B2I, Vec.I, 0);
    }

    private static FloatVector hi(IntVector v) { return Vec.toFloat(v.lanewise(VectorOperators.LSHR, 4)); }

    /** One slice of a block: v xl + c, then + hi (xh - 16 xl). */
    private static FloatVector slice(FloatVector f, FloatVector h, float[] p, int i) {
        return h.fma(Vec.x(p, i + H), f.fma(Vec.x(p, i), Vec.x(p, i + C)));
    }

    @Override
    float dot(MemorySegment w, long q, float[] sc, int so, float[] p, int po, int nb) {
        if (!Vec.OK) return dotScalar(w, q, sc, so, p, po, nb);
        FloatVector acc = FloatVector.zero(Vec.F);
        for (int b = 0; b < nb; b++) {
            long qo = q + b * 16L;
            int i = po + b * E;
            IntVector v = v(w, qo);
            FloatVector s = slice(Vec.toFloat(v), hi(v), p, i);
            for (int j = Vec.L; j < 16; j += Vec.L) {
                v = v(w, qo + j);
                s = s.add(slice(Vec.toFloat(v), hi(v), p, i + j));
            }
            acc = s.fma(FloatVector.broadcast(Vec.F, sc[so + b]), acc);
        }
        return Vec.sum(acc);
    }

    /** Plain Java fallback for vector sizes the kernels do not handle. */
    private static float dotScalar(MemorySegment w, long q, float[] sc, int so, float[] p, int po, int nb) {
        double s = 0;
        for (int b = 0; b < nb; b++) {
            for (int j = 0; j < 16; j++) {
                int v = w.get(ValueLayout.JAVA_BYTE, q + b * 16L + j) & 0xff;
                int i = po + b * E + j;
                s += (double) sc[so + b] * (v * p[i] + (v >> 4) * p[i + H] + p[i + C]);
            }
        }
        return (float) s;
    }

    @Override
    void decode(MemorySegment w, long q, float d, float[] out, int o) {
        for (int j = 0; j < 16; j++) {
            int v = w.get(ValueLayout.JAVA_BYTE, q + j) & 0xff;
            out[o + j] = d * ((v & 15) - 8);
            out[o + 16 + j] = d * ((v >> 4) - 8);
        }
    }

    @Override
    void decodeVec(MemorySegment w, long q, float d, float[] out, int o) {
        FloatVector dv = FloatVector.broadcast(Vec.F, d);
        for (int j = 0; j < 16; j += Vec.L) {
            IntVector v = v(w, q + j);
            Vec.toFloat(v.and(15).sub(8)).mul(dv).intoArray(out, o + j);
            Vec.toFloat(v.lanewise(VectorOperators.LSHR, 4).sub(8)).mul(dv).intoArray(out, o + 16 + j);
        }
    }
}
