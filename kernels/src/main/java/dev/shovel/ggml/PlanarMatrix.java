package dev.shovel.ggml;

import java.lang.foreign.MemorySegment;

/** A [rows][n] matrix in {@link Planar} layout: row r's quants at {@code quants + r * rowQuantBytes}, scales likewise. */
public record PlanarMatrix(Planar ops, MemorySegment data, long quants, long scales, int rows, int n) implements Gemm.Rows {

    /** Packs the ggml-layout matrix {@code src} into {@code dst} (of {@link Planar#bytes} bytes), rows [r0, r1). */
    public static PlanarMatrix of(Planar ops, MemorySegment dst, int rows, int n) {
        return new PlanarMatrix(ops, dst, 0, ops.scalePlane(rows, n), rows, n);
    }

    public PlanarMatrix slice(int first, int count) { return Planar.slice(this, first, count); }

    public void row(int r, float[] out, int outOff) { ops.row(this, r, out, outOff); }

    @Override
    public void decode(int r, int count, int k0, int ks, float[] wb) { ops.decodeRows(this, r, count, k0, ks, wb); }
}
