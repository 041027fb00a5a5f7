package dev.shovel.ggml;

import jdk.incubator.vector.FloatVector;

/**
 * A float GEMM over weights decoded a slice at a time: out[b][r] = row r · x[b]. The weight rows of a tile are
 * decoded (scale applied, exactly as the type's dequantize) for {@link #KS} columns into an L2-resident buffer, then a
 * 4x2 register tile (four weight rows by two batch rows) does only loads and FMAs. Each output keeps two vector
 * accumulators, for the even and the odd vector chunks, summed at the end as the types' dot does it: a batch row's
 * result is bit for bit the one-row (matvec) result, whatever the tile, chunk, thread or batch position.
 * The accumulators are parked in a scratch array between slices.
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
        final float[] acc = new float[RT * BB * 2 * 16];
    }

    private static final ThreadLocal<Buffers> BUFFERS = ThreadLocal.withInitial(Buffers::new);

    /**
     * Rows [r0, r1) times batch rows [0, batch) of x (row b at b * n); out[b * outStride + r]. Needs Vec.OK and n a
     * multiple of 2 * Vec.L (the dot's chunk pairs).
     */
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
                    for (; b + 2 <= bs; b += 2) {
                        int xo = (b0 + b) * n + k0;
                        int r = 0;
                        for (; r + 4 <= rows; r += 4) k42(wb, r * ks, ks, x, xo, n, acc, (r * BB + b) * 2 * L, fresh);
                        for (; r < rows; r++) {
                            for (int j = 0; j < 2; j++) k11(wb, r * ks, ks, x, xo + j * n, acc, (r * BB + b + j) * 2 * L, fresh);
                        }
                    }
                    for (; b < bs; b++) {
                        for (int r = 0; r < rows; r++) k11(wb, r * ks, ks, x, (b0 + b) * n + k0, acc, (r * BB + b) * 2 * L, fresh);
                    }
                }
                for (int r = 0; r < rows; r++) {
                    for (int b = 0; b < bs; b++) {
                        int ao = (r * BB + b) * 2 * L;
                        out[(b0 + b) * outStride + t0 + r] = Vec.sum(Vec.x(acc, ao).add(Vec.x(acc, ao + L)));
                    }
                }
            }
        }
    }

    /** One weight row by one batch row over a slice: the same per-output operations as {@link #k42}. */
    private static void k11(float[] wb, int wo, int ks, float[] x, int xo, float[] acc, int ao, boolean fresh) {
        int L = Vec.L;
        FloatVector e = fresh ? FloatVector.zero(Vec.F) : Vec.x(acc, ao), o = fresh ? FloatVector.zero(Vec.F) : Vec.x(acc, ao + L);
        for (int i = 0; i < ks; i += 2 * L) {
            e = Vec.x(wb, wo + i).fma(Vec.x(x, xo + i), e);
            o = Vec.x(wb, wo + i + L).fma(Vec.x(x, xo + i + L), o);
        }
        e.intoArray(acc, ao);
        o.intoArray(acc, ao + L);
    }

    /**
     * Four weight rows (wb at wo, ks apart) by two batch rows (x at xo, n apart) over a slice, even and odd chunks
     * apart. Accumulator (i, j) lives at acc[ao + (i * BB + j) * 2L] (even) and + L (odd).
     */
    private static void k42(float[] wb, int wo, int ks, float[] x, int xo, int n, float[] acc, int ao, boolean fresh) {
        int L = Vec.L, rs = BB * 2 * L;
        FloatVector c00e, c00o, c01e, c01o, c10e, c10o, c11e, c11o, c20e, c20o, c21e, c21o, c30e, c30o, c31e, c31o;
        if (fresh) {
            c00e = c00o = c01e = c01o = c10e = c10o = c11e = c11o = c20e = c20o = c21e = c21o = c30e = c30o = c31e = c31o = FloatVector.zero(Vec.F);
        } else {
            c00e = Vec.x(acc, ao + 0 * rs + 0 * L); c00o = Vec.x(acc, ao + 0 * rs + 1 * L); c01e = Vec.x(acc, ao + 0 * rs + 2 * L); c01o = Vec.x(acc, ao + 0 * rs + 3 * L);
            c10e = Vec.x(acc, ao + 1 * rs + 0 * L); c10o = Vec.x(acc, ao + 1 * rs + 1 * L); c11e = Vec.x(acc, ao + 1 * rs + 2 * L); c11o = Vec.x(acc, ao + 1 * rs + 3 * L);
            c20e = Vec.x(acc, ao + 2 * rs + 0 * L); c20o = Vec.x(acc, ao + 2 * rs + 1 * L); c21e = Vec.x(acc, ao + 2 * rs + 2 * L); c21o = Vec.x(acc, ao + 2 * rs + 3 * L);
            c30e = Vec.x(acc, ao + 3 * rs + 0 * L); c30o = Vec.x(acc, ao + 3 * rs + 1 * L); c31e = Vec.x(acc, ao + 3 * rs + 2 * L); c31o = Vec.x(acc, ao + 3 * rs + 3 * L);
        }
        for (int i = 0; i < ks; i += 2 * L) {
            FloatVector x0e = Vec.x(x, xo + i), x0o = Vec.x(x, xo + i + L), x1e = Vec.x(x, xo + n + i), x1o = Vec.x(x, xo + n + i + L);
            FloatVector w0e = Vec.x(wb, wo + 0 * ks + i), w0o = Vec.x(wb, wo + 0 * ks + i + L);
            c00e = w0e.fma(x0e, c00e); c00o = w0o.fma(x0o, c00o); c01e = w0e.fma(x1e, c01e); c01o = w0o.fma(x1o, c01o);
            FloatVector w1e = Vec.x(wb, wo + 1 * ks + i), w1o = Vec.x(wb, wo + 1 * ks + i + L);
            c10e = w1e.fma(x0e, c10e); c10o = w1o.fma(x0o, c10o); c11e = w1e.fma(x1e, c11e); c11o = w1o.fma(x1o, c11o);
            FloatVector w2e = Vec.x(wb, wo + 2 * ks + i), w2o = Vec.x(wb, wo + 2 * ks + i + L);
            c20e = w2e.fma(x0e, c20e); c20o = w2o.fma(x0o, c20o); c21e = w2e.fma(x1e, c21e); c21o = w2o.fma(x1o, c21o);
            FloatVector w3e = Vec.x(wb, wo + 3 * ks + i), w3o = Vec.x(wb, wo + 3 * ks + i + L);
            c30e = w3e.fma(x0e, c30e); c30o = w3o.fma(x0o, c30o); c31e = w3e.fma(x1e, c31e); c31o = w3o.fma(x1o, c31o);
        }
        c00e.intoArray(acc, ao + 0 * rs + 0 * L); c00o.intoArray(acc, ao + 0 * rs + 1 * L); c01e.intoArray(acc, ao + 0 * rs + 2 * L); c01o.intoArray(acc, ao + 0 * rs + 3 * L);
        c10e.intoArray(acc, ao + 1 * rs + 0 * L); c10o.intoArray(acc, ao + 1 * rs + 1 * L); c11e.intoArray(acc, ao + 1 * rs + 2 * L); c11o.intoArray(acc, ao + 1 * rs + 3 * L);
        c20e.intoArray(acc, ao + 2 * rs + 0 * L); c20o.intoArray(acc, ao + 2 * rs + 1 * L); c21e.intoArray(acc, ao + 2 * rs + 2 * L); c21o.intoArray(acc, ao + 2 * rs + 3 * L);
        c30e.intoArray(acc, ao + 3 * rs + 0 * L); c30o.intoArray(acc, ao + 3 * rs + 1 * L); c31e.intoArray(acc, ao + 3 * rs + 2 * L); c31o.intoArray(acc, ao + 3 * rs + 3 * L);
    }
}
