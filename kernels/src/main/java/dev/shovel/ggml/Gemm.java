package dev.shovel.ggml;

import jdk.incubator.vector.FloatVector;

/**
 * A float GEMM over weights decoded a slice at a time: out[b][r] = row r · x[b]. The weight rows of a tile are
 * decoded (scale applied, exactly as the type's dequantize) for {@link #KS} columns into an L2-resident buffer, then a
 * 4x4 register tile (four weight rows by four batch rows, sixteen vector accumulators) does only loads and FMAs. The
 * accumulators are parked in a scratch array between slices. Every output gets the same operations whatever the
 * tile, chunk or batch position it falls in, so results depend neither on the thread count nor on the batch.
 */
final class Gemm {
    private Gemm() {}

    /** Decodes columns [k0, k0 + ks) of weight rows [r, r + rows) into wb (row i at i * ks). */
    interface Rows {
        void decode(int r, int rows, int k0, int ks, float[] wb);
    }

    /** Columns per slice, weight rows per tile, batch rows per block. */
    static final int KS = 1024, RT = 32, BB = 64;

    private static final class Buffers {
        final float[] wb = new float[RT * KS];
        final float[] acc = new float[RT * BB * 16];
    }

    private static final ThreadLocal<Buffers> BUFFERS = ThreadLocal.withInitial(Buffers::new);

    /** Rows [r0, r1) times batch rows [0, batch) of x (row b at b * n); out[b * outStride + r]. Needs Vec.OK. */
    static void gemm(Rows w, int n, float[] x, int batch, float[] out, int outStride, int r0, int r1) {
        Buffers buf = BUFFERS.get();
        float[] wb = buf.wb, acc = buf.acc;
        int L = Vec.L;
        for (int t0 = r0; t0 < r1; t0 += RT) {
            int rows = Math.min(RT, r1 - t0);
            for (int b0 = 0; b0 < batch; b0 += BB) {
                int bs = Math.min(BB, batch - b0);
                for (int k0 = 0; k0 < n; k0 += KS) {
                    int ks = Math.min(KS, n - k0);
                    boolean fresh = k0 == 0;
                    w.decode(t0, rows, k0, ks, wb);
                    int b = 0;
                    for (; b + 4 <= bs; b += 4) {
                        int xo = (b0 + b) * n + k0;
                        int r = 0;
                        for (; r + 4 <= rows; r += 4) k44(wb, r * ks, ks, x, xo, n, acc, (r * BB + b) * L, fresh);
                        for (; r < rows; r++) {
                            for (int j = 0; j < 4; j++) k11(wb, r * ks, ks, x, xo + j * n, acc, (r * BB + b + j) * L, fresh);
                        }
                    }
                    for (; b < bs; b++) {
                        for (int r = 0; r < rows; r++) k11(wb, r * ks, ks, x, (b0 + b) * n + k0, acc, (r * BB + b) * L, fresh);
                    }
                }
                for (int r = 0; r < rows; r++) {
                    for (int b = 0; b < bs; b++) out[(b0 + b) * outStride + t0 + r] = Vec.sum(Vec.x(acc, (r * BB + b) * L));
                }
            }
        }
    }

    /** One weight row by one batch row over a slice: the same per-output operations as {@link #k44}. */
    private static void k11(float[] wb, int wo, int ks, float[] x, int xo, float[] acc, int ao, boolean fresh) {
        FloatVector c = fresh ? FloatVector.zero(Vec.F) : Vec.x(acc, ao);
        for (int i = 0; i < ks; i += Vec.L) c = Vec.x(wb, wo + i).fma(Vec.x(x, xo + i), c);
        c.intoArray(acc, ao);
    }

    /**
     * Four weight rows (wb at wo, ks apart) by four batch rows (x at xo, n apart) over a slice. Accumulator (i, j)
     * lives at acc[ao + (i * BB + j) * L].
     */
    private static void k44(float[] wb, int wo, int ks, float[] x, int xo, int n, float[] acc, int ao, boolean fresh) {
        int L = Vec.L, rs = BB * L;
        FloatVector c00, c01, c02, c03, c10, c11, c12, c13, c20, c21, c22, c23, c30, c31, c32, c33;
        if (fresh) {
            c00 = c01 = c02 = c03 = c10 = c11 = c12 = c13 = c20 = c21 = c22 = c23 = c30 = c31 = c32 = c33 = FloatVector.zero(Vec.F);
        } else {
            c00 = Vec.x(acc, ao); c01 = Vec.x(acc, ao + L); c02 = Vec.x(acc, ao + 2 * L); c03 = Vec.x(acc, ao + 3 * L);
            c10 = Vec.x(acc, ao + rs); c11 = Vec.x(acc, ao + rs + L); c12 = Vec.x(acc, ao + rs + 2 * L); c13 = Vec.x(acc, ao + rs + 3 * L);
            c20 = Vec.x(acc, ao + 2 * rs); c21 = Vec.x(acc, ao + 2 * rs + L); c22 = Vec.x(acc, ao + 2 * rs + 2 * L); c23 = Vec.x(acc, ao + 2 * rs + 3 * L);
            c30 = Vec.x(acc, ao + 3 * rs); c31 = Vec.x(acc, ao + 3 * rs + L); c32 = Vec.x(acc, ao + 3 * rs + 2 * L); c33 = Vec.x(acc, ao + 3 * rs + 3 * L);
        }
        for (int i = 0; i < ks; i += L) {
            FloatVector x0 = Vec.x(x, xo + i), x1 = Vec.x(x, xo + n + i), x2 = Vec.x(x, xo + 2 * n + i), x3 = Vec.x(x, xo + 3 * n + i);
            FloatVector w = Vec.x(wb, wo + i);
            c00 = w.fma(x0, c00); c01 = w.fma(x1, c01); c02 = w.fma(x2, c02); c03 = w.fma(x3, c03);
            w = Vec.x(wb, wo + ks + i);
            c10 = w.fma(x0, c10); c11 = w.fma(x1, c11); c12 = w.fma(x2, c12); c13 = w.fma(x3, c13);
            w = Vec.x(wb, wo + 2 * ks + i);
            c20 = w.fma(x0, c20); c21 = w.fma(x1, c21); c22 = w.fma(x2, c22); c23 = w.fma(x3, c23);
            w = Vec.x(wb, wo + 3 * ks + i);
            c30 = w.fma(x0, c30); c31 = w.fma(x1, c31); c32 = w.fma(x2, c32); c33 = w.fma(x3, c33);
        }
        c00.intoArray(acc, ao); c01.intoArray(acc, ao + L); c02.intoArray(acc, ao + 2 * L); c03.intoArray(acc, ao + 3 * L);
        c10.intoArray(acc, ao + rs); c11.intoArray(acc, ao + rs + L); c12.intoArray(acc, ao + rs + 2 * L); c13.intoArray(acc, ao + rs + 3 * L);
        c20.intoArray(acc, ao + 2 * rs); c21.intoArray(acc, ao + 2 * rs + L); c22.intoArray(acc, ao + 2 * rs + 2 * L); c23.intoArray(acc, ao + 2 * rs + 3 * L);
        c30.intoArray(acc, ao + 3 * rs); c31.intoArray(acc, ao + 3 * rs + L); c32.intoArray(acc, ao + 3 * rs + 2 * L); c33.intoArray(acc, ao + 3 * rs + 3 * L);
    }
}
