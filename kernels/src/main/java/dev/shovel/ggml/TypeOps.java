package dev.shovel.ggml;

import dev.shovel.gguf.GGMLType;
import dev.shovel.gguf.GGUFException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * The kernels of one ggml type: its block layout, a Vector API dot product (used by matvec and the GEMM tile)
 * and a plain scalar twin that is the test oracle. Weights are read in place from (mapped) memory; activations are
 * float arrays. Every row is reduced by one thread in a fixed order, so results never depend on the thread count.
 */
public abstract class TypeOps {
    static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfFloat F32L = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    public abstract GGMLType type();

    /** Scalar: decodes {@code n} elements (whole blocks) starting at byte {@code off}. */
    public abstract void dequantize(MemorySegment w, long off, float[] out, int outOff, int n);

    /** Scalar reference quantizer (as ggml's {@code quantize_row_*_ref}); {@code n} is a multiple of the block size. */
    public abstract void quantize(float[] in, int inOff, MemorySegment w, long off, int n);

    /** Vector API dot product of one row of {@code n} elements with {@code x[xOff..xOff+n)}. */
    public abstract float dot(MemorySegment w, long off, float[] x, int xOff, int n);

    /** Scalar twin of {@link #dot}: dequantize, then a plain sequential sum in double. */
    public float dotScalar(MemorySegment w, long off, float[] x, int xOff, int n) {
        float[] tmp = new float[n];
        dequantize(w, off, tmp, 0, n);
        double s = 0;
        for (int i = 0; i < n; i++) s += (double) tmp[i] * x[xOff + i];
        return (float) s;
    }

    public final long rowBytes(int n) { return type().bytesFor(n); }

    /** out[r] = row r · x, for rows [r0, r1) of a row-major [rows][n] weight. */
    public void matvec(MemorySegment w, int n, float[] x, int xOff, float[] out, int outOff, int r0, int r1) {
        long rb = rowBytes(n);
        for (int r = r0; r < r1; r++) out[outOff + r] = dot(w, r * rb, x, xOff, n);
    }

    /**
     * GEMM tile: out[b][r] = row r · x[b] for rows [r0, r1) and batch rows [0, nb); x rows are {@code n} apart and
     * out rows {@code outStride} apart. Types may override with a register-blocked micro-kernel.
     */
    public void gemm(MemorySegment w, int n, float[] x, int nb, float[] out, int outStride, int r0, int r1) {
        long rb = rowBytes(n);
        for (int r = r0; r < r1; r++) {
            long off = r * rb;
            for (int b = 0; b < nb; b++) out[b * outStride + r] = dot(w, off, x, b * n, n);
        }
    }

    /** Per-thread block buffer of {@link #axpy}. */
    private static final ThreadLocal<float[]> AXPY = ThreadLocal.withInitial(() -> new float[256]);

    /**
     * y[yOff + i] = fma(a, element i, y[yOff + i]) for the {@code n} elements (whole blocks) at byte {@code off}: the
     * attention's weighted sum of value rows. F32 and F16 (the KV cache types) override it with vectors.
     */
    public void axpy(MemorySegment w, long off, float a, float[] y, int yOff, int n) {
        int bs = type().blockSize;
        float[] t = AXPY.get();
        if (t.length < bs) AXPY.set(t = new float[bs]);
        for (int i = 0; i < n; i += bs) {
            dequantize(w, off + type().bytesFor(i), t, 0, bs);
            for (int j = 0; j < bs; j++) y[yOff + i + j] = Math.fma(a, t[j], y[yOff + i + j]);
        }
    }

    /** Decodes one row of a [rows][n] tensor (embedding lookup). */
    public final void row(MemorySegment w, int n, long r, float[] out, int outOff) {
        dequantize(w, r * rowBytes(n), out, outOff, n);
    }

    static float f16(MemorySegment w, long off) { return Float.float16ToFloat(w.get(I16, off)); }

    /** The little-endian fp16 at q[i..i+2) (a block copied to an array). */
    static float f16(byte[] q, int i) { return Float.float16ToFloat((short) (q[i] & 0xff | q[i + 1] << 8)); }

    static void putF16(MemorySegment w, long off, float v) { w.set(I16, off, Float.floatToFloat16(v)); }

    /** The kernels for {@code t}, or an error naming the type when it cannot be computed. */
    public static TypeOps of(GGMLType t) {
        TypeOps ops = lookup(t);
        if (ops == null) throw new GGUFException("tensor type " + t + " is not supported for computation");
        return ops;
    }

    public static boolean supported(GGMLType t) { return lookup(t) != null; }

    private static TypeOps lookup(GGMLType t) {
        return switch (t) {
            case F32 -> F32.INSTANCE;
            case F16 -> F16.INSTANCE;
            case BF16 -> BF16.INSTANCE;
            case Q8_0 -> Q8_0.INSTANCE;
            case Q4_0 -> Q4_0.INSTANCE;
            case Q4_1 -> Q4_1.INSTANCE;
            case Q5_0 -> Q5_0.INSTANCE;
            case Q5_1 -> Q5_1.INSTANCE;
            case Q2_K -> Q2_K.INSTANCE;
            case Q3_K -> Q3_K.INSTANCE;
            case Q4_K -> Q4_K.INSTANCE;
            case Q5_K -> Q5_K.INSTANCE;
            case Q6_K -> Q6_K.INSTANCE;
            case IQ4_NL -> IQ4_NL.INSTANCE;
            case IQ4_XS -> IQ4_XS.INSTANCE;
            case MXFP4 -> MXFP4.INSTANCE;
            default -> null;
        };
    }
}
