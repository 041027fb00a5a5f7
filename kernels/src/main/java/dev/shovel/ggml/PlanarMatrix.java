package dev.shovel.ggml;

import java.lang.foreign.MemorySegment;

/**
 * A [rows][n] matrix in a {@link Planar} layout. Row-major planes: row r's quants at {@code quants + r * rowQuantBytes},
 * its scales likewise from {@code scales}. Grouped Q4_0: row r is row {@code first + r} of the packed groups.
 */
public record PlanarMatrix(Planar ops, MemorySegment data, long quants, long scales, int rows, int n, int first)
        implements Gemm.Rows {

    /** A matrix over {@code dst} (of {@link Planar#bytes} bytes) for {@link Planar#pack} to fill. */
    public static PlanarMatrix of(Planar ops, MemorySegment dst, int rows, int n) { return ops.matrix(dst, rows, n); }

    public PlanarMatrix slice(int first, int count) { return ops.slice(this, first, count); }

    public void row(int r, float[] out, int outOff) { ops.row(this, r, out, outOff); }

    @Override
    public void decode(int r, int count, int k0, int ks, float[] wb) { ops.decodeRows(this, r, count, k0, ks, wb); }
}
