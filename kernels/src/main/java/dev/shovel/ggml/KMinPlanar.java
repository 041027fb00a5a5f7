package dev.shovel.ggml;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The scalar side Q4_K and Q5_K share (x = d * scale * q - dmin * min, 6-bit scales and mins): the repack of the
 * nibbles, scales, mins, d and dmin, the row decode and the int8 twin of the kernels. Each type supplies its quant
 * (nibble, plus the fifth bit for Q5_K) and where its parts lie in a group-block.
 */
abstract class KMinPlanar extends KGroupPlanar {
    /** Offsets in a group-block: scales, mins, d, dmin. */
    private final int sc, mn, d, dm;
    /** ggml's block: its size and where its scales and low nibbles start. */
    private final int block, scales, qs;

    KMinPlanar(int sc, int mn, int d, int dm, int block, int scales, int qs) {
        this.sc = sc;
        this.mn = mn;
        this.d = d;
        this.dm = dm;
        this.block = block;
        this.scales = scales;
        this.qs = qs;
    }

    @Override int qsBytes() { return 16; }

    /** The quant (0..31) of element e (0..31) of sub-block j of packed row s in its group's block at {@code base}. */
    abstract int quant(MemorySegment w, long base, long s, int j, int e);

    /** Packs what else sub-block j of ggml's block at {@code blk} has (Q5_K's fifth bits) for the row in {@code lane}. */
    void packMore(MemorySegment src, long blk, int j, MemorySegment dst, long base, int lane) {}

    @Override
    public final boolean finiteScales(MemorySegment src, long rows, int n) {
        long blocks = rows * (n / QK_K);
        for (long b = 0; b < blocks; b++) {
            if ((src.get(I16, b * block) & 0x7c00) == 0x7c00 || (src.get(I16, b * block + 2) & 0x7c00) == 0x7c00) return false;
        }
        return true;
    }

    @Override
    public final void pack(MemorySegment src, long rows, int n, MemorySegment dst, long r0, long r1) {
        int nb = n / QK_K;
        for (long r = r0; r < r1; r++) {
            int lane = (int) (r % G);
            for (int b = 0; b < nb; b++) {
                long blk = (r * nb + b) * block, base = base(nb, r, b);
                for (int j = 0; j < 8; j++) {
                    int shift = 4 * (j & 1);
                    long q = blk + qs + 32L * (j >> 1);
                    for (int i = 0; i < 16; i++) {
                        int lo = KQuants.b(src, q + i) >> shift & 15, hi = KQuants.b(src, q + i + 16) >> shift & 15;
                        dst.set(ValueLayout.JAVA_BYTE, base + j * 16L * G + (i >> 2) * 4L * G + 4L * lane + (i & 3), (byte) (lo | hi << 4));
                    }
                    packMore(src, blk, j, dst, base, lane);
                    long at = (j >> 2) * 4L * G + 4L * lane + (j & 3);
                    dst.set(ValueLayout.JAVA_BYTE, base + sc + at, (byte) KQuants.scaleK4(src, blk + scales, j));
                    dst.set(ValueLayout.JAVA_BYTE, base + mn + at, (byte) KQuants.minK4(src, blk + scales, j));
                }
                dst.set(I16, base + d + 2L * lane, src.get(I16, blk));
                dst.set(I16, base + dm + 2L * lane, src.get(I16, blk + 2));
            }
        }
    }

    /** Scale (or, at {@code mn}, min) of sub-block j of packed row s in its group's block at {@code base}. */
    private static int scale(MemorySegment w, long base, int at, long s, int j) {
        return KQuants.b(w, base + at + (j >> 2) * 4L * G + 4 * (s % G) + (j & 3));
    }

    /** The low nibble of element e (0..31) of sub-block j of packed row s. */
    static int nibble(MemorySegment w, long base, long s, int j, int e) {
        int i = e & 15;
        return KQuants.b(w, base + j * 16L * G + (i >> 2) * 4L * G + 4 * (s % G) + (i & 3)) >> 4 * (e >> 4) & 15;
    }

    @Override
    final void row(PlanarMatrix m, int r, float[] out, int outOff) { // as ggml's dequantize: d * sc * q - dmin * m
        MemorySegment w = m.data();
        int nb = m.n() / QK_K;
        long s = (long) m.first() + r;
        for (int b = 0; b < nb; b++) {
            long base = base(nb, s, b);
            float dd = Float.float16ToFloat(w.get(I16, base + d + 2 * (s % G))), dmin = Float.float16ToFloat(w.get(I16, base + dm + 2 * (s % G)));
            for (int j = 0; j < 8; j++) {
                float d1 = dd * scale(w, base, sc, s, j), m1 = dmin * scale(w, base, mn, s, j);
                for (int e = 0; e < 32; e++) out[outOff + b * QK_K + 32 * j + e] = d1 * quant(w, base, s, j, e) - m1;
            }
        }
    }

    @Override
    final float dot(MemorySegment w, int nb, long s, int[] p, int po) {
        float acc = 0;
        for (int b = 0; b < nb; b++) {
            long base = base(nb, s, b);
            float fa = 0, fb = 0;
            for (int j = 0; j < 8; j++) {
                int xo = po + (8 * b + j) * E, sum = 0;
                for (int v = 0; v < 4; v++) {
                    for (int k = 0; k < 4; k++) {
                        int pair = p[xo + 4 * v + k], e = PlanarQ4_0.element(v, k);
                        sum += quant(w, base, s, j, e) * (short) pair + quant(w, base, s, j, e + 2) * (pair >> 16);
                    }
                }
                float dx = Float.intBitsToFloat(p[xo + 16]);
                fa = Math.fma((float) (scale(w, base, sc, s, j) * sum), dx, fa);
                fb = Math.fma((float) scale(w, base, mn, s, j), dx * (p[xo + 17] / -8), fb);
            }
            float dd = Float.float16ToFloat(w.get(I16, base + d + 2 * (s % G))), dmin = Float.float16ToFloat(w.get(I16, base + dm + 2 * (s % G)));
            acc = Math.fma(-dmin, fb, Math.fma(dd, fa, acc));
        }
        return acc;
    }
}
