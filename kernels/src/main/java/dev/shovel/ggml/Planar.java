package dev.shovel.ggml;

import dev.shovel.gguf.GGMLType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Q8_0, Q4_0, MXFP4, IQ4_NL, the K-quants (Q2_K to Q6_K) and IQ4_XS repacked at load into a kernel-friendly layout of (about) the same
 * bytes: groups of rows read as vector lanes ({@link GroupPlanar}, {@link CodebookPlanar}, {@link KGroupPlanar}). Matvec reads activations prepared once per matmul (int8,
 * as llama.cpp's); so does the GEMM, several batch rows per pass, each bit for bit matvec's result.
 */
public abstract class Planar {
    static final int QK = 32;
    static final ValueLayout.OfShort I16 = TypeOps.I16;

    /** The planar kernels for {@code t}, or null when the type keeps ggml's layout. */
    public static Planar of(GGMLType t) {
        return switch (t) {
            case Q8_0 -> PlanarQ8_0.INSTANCE;
            case Q4_0 -> PlanarQ4_0.INSTANCE;
            case MXFP4 -> PlanarMXFP4.INSTANCE;
            case IQ4_NL -> PlanarIQ4_NL.INSTANCE;
            case Q2_K -> PlanarQ2_K.INSTANCE;
            case Q3_K -> PlanarQ3_K.INSTANCE;
            case Q4_K -> PlanarQ4_K.INSTANCE;
            case Q5_K -> PlanarQ5_K.INSTANCE;
            case Q6_K -> PlanarQ6_K.INSTANCE;
            case IQ4_XS -> PlanarIQ4_XS.INSTANCE;
            default -> null;
        };
    }

    public abstract GGMLType type();

    /** Bytes of quants per 32-element block. */
    abstract int qsBytes();

    /** Bytes of a packed [rows][n] matrix. */
    public abstract long bytes(long rows, int n);

    /** A [rows][n] matrix in this layout over {@code dst} (of {@link #bytes} bytes, zeroed). */
    public abstract PlanarMatrix matrix(MemorySegment dst, int rows, int n);

    /** Repacks rows [r0, r1) of the ggml-layout matrix {@code src} ([rows][n]) into {@code dst}. */
    public abstract void pack(MemorySegment src, long rows, int n, MemorySegment dst, long r0, long r1);

    /** A packed matrix as a view: rows [first, first + count) of {@code m}. */
    abstract PlanarMatrix slice(PlanarMatrix m, int first, int count);

    /** Decodes row {@code r} (embedding lookup). */
    abstract void row(PlanarMatrix m, int r, float[] out, int outOff);

    /**
     * out[outOff + r] = row r · x for rows [r0, r1), where {@code p} holds x prepared by {@link #prepare} (once per
     * matmul, shared by every chunk).
     */
    public abstract void matvec(PlanarMatrix m, int[] p, float[] out, int outOff, int r0, int r1);

    /**
     * GEMM: out[b * outStride + r] = row r · x[b] for rows [r0, r1) and batch rows [0, batch) of {@code x} (rows n
     * apart), with {@code p} from {@link #prepare}. A batch row's result is matvec's, bit for bit, whatever the
     * chunking or the batch.
     */
    public abstract void gemm(PlanarMatrix m, float[] x, int[] p, int batch, float[] out, int outStride, int r0, int r1);

    /** Whether every scale of the ggml-layout matrix is finite (else it keeps that layout). */
    public boolean finiteScales(MemorySegment src, long rows, int n) {
        int bb = qsBytes() + 2;
        long blocks = rows * (n / QK);
        for (long b = 0; b < blocks; b++) if ((src.get(I16, b * bb) & 0x7c00) == 0x7c00) return false;
        return true;
    }

    /** Ints of prepared activations per block and batch row. */
    public abstract int width();

    /** Ints of prepared activations for {@code batch} rows of {@code n} elements. */
    public final int prepSize(int batch, int n) { return batch * (n / QK) * width(); }

    /**
     * Prepares batch rows [0, batch) of {@code x} (from {@code xOff}, rows {@code n} apart) into {@code out}, each
     * in matvec's layout, {@link #width} ints per block, row b at b * nb * width.
     */
    public final void prepare(float[] x, int xOff, int batch, int n, int[] out) { prepareRows(x, xOff, batch, n, out, 0); }

    /** Prepares {@code rows} rows of x (from xOff, n apart) to out[outOff..], in matvec's layout, for any batch. */
    public final void prepareRows(float[] x, int xOff, int rows, int n, int[] out, int outOff) {
        int nb = n / QK;
        for (int b = 0; b < rows; b++) {
            for (int k = 0; k < nb; k++) prepareBlock(x, xOff + b * n + k * QK, out, outOff + (b * nb + k) * width());
        }
    }

    /** Rows that matmul chunks should hold a multiple of, so no group is computed twice. */
    public abstract int rowUnit();

    /** Writes the {@link #width} prepared ints of the 32 activations at x[i..] to out[o..]. */
    abstract void prepareBlock(float[] x, int i, int[] out, int o);
}
