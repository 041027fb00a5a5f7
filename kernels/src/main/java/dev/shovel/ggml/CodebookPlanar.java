package dev.shovel.ggml;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.ShortVector;

/**
 * A 32-element block of 4-bit indices into a 16-entry table ({@link PlanarMXFP4}, {@link PlanarIQ4_NL}), grouped as
 * Q4_0 is: chunks of 4 bytes, byte j of a block holding elements j (low nibble) and j + 16 (high), then the G 16-bit
 * scales. The kernels look the nibbles up in 16-bit lanes (a lane permute of the table), multiply Q4_0's prepared
 * int8 activations and sum in integers, as llama.cpp's dot with Q8_0 activations: per row and block
 * d * dx * sum value[q] * xq.
 */
abstract class CodebookPlanar extends GroupPlanar {
    static final int E = PlanarQ4_0.E;
    private final Codebook values;

    CodebookPlanar(Codebook values) { this.values = values; }

    /** The table in the low 16 of {@link #SH}'s lanes, for {@link ShortVector#selectFrom}. */
    static ShortVector table(Codebook c) {
        short[] t = new short[Math.max(16, SH.length())]; // 128-bit (scalar path): unused
        for (int i = 0; i < 16; i++) t[i] = (short) c.value(i);
        return ShortVector.fromArray(SH, t, 0);
    }

    @Override int qsBytes() { return 16; }

    @Override int chunk() { return 4; }

    @Override public int width() { return E; }

    @Override void prepareBlock(float[] x, int i, int[] out, int o) { PlanarQ4_0.INSTANCE.prepareBlock(x, i, out, o); }

    /** The stored scale bits as a float. */
    abstract float d(short bits);

    @Override
    void decode(MemorySegment w, int nb, long s, int b, float[] out, int o) {
        long base = base(nb, s, b);
        float d = d(w.get(I16, scale(base, s)));
        for (int v = 0; v < 4; v++) {
            int q = w.get(I32, chunk(base, s, v));
            for (int j = 0; j < 4; j++) {
                int x = q >>> 8 * j & 0xff;
                out[o + 4 * v + j] = d * values.value(x & 15);
                out[o + 4 * v + j + 16] = d * values.value(x >> 4);
            }
        }
    }

    @Override
    float dot(MemorySegment w, int nb, long s, int[] p, int po) {
        float acc = 0;
        for (int b = 0; b < nb; b++) {
            long base = base(nb, s, b);
            int xo = po + b * E, sum = 0;
            for (int v = 0; v < 4; v++) {
                int q = w.get(I32, chunk(base, s, v));
                for (int k = 0; k < 4; k++) {
                    int pair = p[xo + 4 * v + k];
                    sum += values.value(q >>> 4 * k & 15) * (short) pair + values.value(q >>> 16 + 4 * k & 15) * (pair >> 16);
                }
            }
            acc = Math.fma((float) sum * Float.intBitsToFloat(p[xo + 16]), d(w.get(I16, scale(base, s))), acc);
        }
        return acc;
    }

    /** The group at {@code g} against 4 columns prepared at p[po + c * cs..]: {@link #group2}'s sums and steps per column. */
    abstract void group4c(MemorySegment w, long g, int nb, int[] p, int po, int cs, float[] out, int o);

    private static final ThreadLocal<float[]> QUAD = ThreadLocal.withInitial(() -> new float[4 * G]);

    @Override
    final void tiles(PlanarMatrix m, float[] x, int[] p, int batch, float[] out, int outStride, int r0, int r1) {
        int nb = m.n() / QK, first = m.first(), cs = nb * E, quads = batch & ~3;
        long s0 = (long) first + r0, s1 = (long) first + r1, gbytes = (long) nb * blockBytes();
        float[] tmp = QUAD.get();
        long g1 = (s1 + G - 1) / G;
        for (long g = s0 / G; g < g1; g += 2) {
            long gb = Math.min(g + 1, g1 - 1);
            for (int c = 0; c < quads; c += 4) {
                for (long h = g; h <= gb; h++) {
                    group4c(m.data(), h * gbytes, nb, p, c * cs, cs, tmp, 0);
                    for (int k = 0; k < 4; k++) put(tmp, k * G, h, s0, s1, first, out, (c + k) * outStride);
                }
            }
            for (int c = quads; c < batch; c++) { // the rest through matvec's kernel, two groups at a time
                group2(m.data(), g * gbytes, gb * gbytes, nb, p, c * cs, tmp, 0);
                put(tmp, 0, g, s0, s1, first, out, c * outStride);
                if (gb != g) put(tmp, G, gb, s0, s1, first, out, c * outStride);
            }
        }
    }
}
