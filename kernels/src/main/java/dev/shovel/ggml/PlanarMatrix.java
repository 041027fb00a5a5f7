package dev.shovel.ggml;

import java.lang.foreign.MemorySegment;

/** A [rows][n] matrix in a {@link Planar} layout: row r is row {@code first + r} of the packed groups in {@code data}. */
public record PlanarMatrix(Planar ops, MemorySegment data, int rows, int n, int first) {

    /** A matrix over {@code dst} (of {@link Planar#bytes} bytes) for {@link Planar#pack} to fill. */
    public static PlanarMatrix of(Planar ops, MemorySegment dst, int rows, int n) { return ops.matrix(dst, rows, n); }

    public PlanarMatrix slice(int first, int count) { return ops.slice(this, first, count); }

    public void row(int r, float[] out, int outOff) { ops.row(this, r, out, outOff); }
}
