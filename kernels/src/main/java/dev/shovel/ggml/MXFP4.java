package dev.shovel.ggml;

import dev.shovel.gguf.GGMLType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * GGML_TYPE_MXFP4 (OCP microscaling FP4): blocks of 32 = one E8M0 exponent byte e, then 16 bytes of E2M1 nibbles;
 * element j is the low nibble of byte j, element j+16 its high nibble; x = 2^(e-128) * kvalues_mxfp4[q] (the table
 * holds twice the E2M1 values, hence the halved scale).
 */
public final class MXFP4 extends QuantOps {
    public static final MXFP4 INSTANCE = new MXFP4();
    static final int QK = 32, BLOCK = 17;
    /** ggml's kvalues_mxfp4: 2 * E2M1. */
    static final Codebook KVALUES = new Codebook(0, 1, 2, 3, 4, 6, 8, 12, 0, -1, -2, -3, -4, -6, -8, -12);

    @Override public GGMLType type() { return GGMLType.MXFP4; }

    /** ggml_e8m0_to_fp32_half: 2^(e-128), a subnormal float for e = 0 and 1. */
    static float scale(int e) { return Float.intBitsToFloat(e < 2 ? 0x00200000 << e : (e - 1) << 23); }

    @Override
    public void dequantize(MemorySegment w, long off, float[] out, int outOff, int n) {
        for (int b = 0; b < n / QK; b++) {
            long bo = off + (long) b * BLOCK;
            KVALUES.dequantize(w, bo + 1, scale(KQuants.b(w, bo)), out, outOff + b * QK);
        }
    }

    /**
     * As ggml's quantize_row_mxfp4_ref: e = floor(log2(absmax)) - 2 + 127 (0 for an all-zero block; clamped at 0,
     * where ggml's cast is undefined), then the nearest table entry for each value. floor(log2) is taken exactly
     * from the float exponent, where ggml's log2f may round up just below a power of two.
     */
    @Override
    public void quantize(float[] in, int inOff, MemorySegment w, long off, int n) {
        for (int b = 0; b < n / QK; b++) {
            long bo = off + (long) b * BLOCK;
            int o = inOff + b * QK;
            float amax = 0;
            for (int j = 0; j < QK; j++) amax = Math.max(amax, Math.abs(in[o + j]));
            int e = amax > 0 ? Math.max(0, Math.getExponent(amax) - 2 + 127) : 0;
            w.set(ValueLayout.JAVA_BYTE, bo, (byte) e);
            float d = scale(e);
            for (int j = 0; j < 16; j++) {
                int q0 = KVALUES.nearest(in[o + j], d), q1 = KVALUES.nearest(in[o + j + 16], d);
                w.set(ValueLayout.JAVA_BYTE, bo + 1 + j, (byte) (q0 | q1 << 4));
            }
        }
    }

    @Override
    void decode(MemorySegment w, long off, float[] dst, int n) {
        for (int b = 0; b < n / QK; b++) {
            long bo = off + (long) b * BLOCK;
            KVALUES.decode(w, bo + 1, scale(KQuants.b(w, bo)), dst, b * QK);
        }
    }

    // Per-type entry points (see QuantOps: one compiled loop per type).
    @Override public float dot(MemorySegment w, long off, float[] x, int xOff, int n) { return QuantOps.dot(this, w, off, x, xOff, n); }

    @Override
    public void matvec(MemorySegment w, int n, float[] x, int xOff, float[] out, int outOff, int r0, int r1) {
        QuantOps.matvec(this, w, n, x, xOff, out, outOff, r0, r1);
    }

    @Override
    public void gemm(MemorySegment w, int n, float[] x, int nb, float[] out, int outStride, int r0, int r1) {
        BlockOps.gemm(this, w, n, x, nb, out, outStride, r0, r1);
    }
}
