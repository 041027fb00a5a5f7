package dev.shovel.ggml;

import dev.shovel.gguf.GGMLType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * GGML_TYPE_IQ4_NL: blocks of 32 = fp16 d, then 16 bytes; element j is the low nibble of byte j, element j+16 its
 * high nibble; x = d * kvalues_iq4nl[q] (a non-linear 4-bit grid).
 */
public final class IQ4_NL extends QuantOps {
    public static final IQ4_NL INSTANCE = new IQ4_NL();
    static final int QK = 32, BLOCK = 18;
    /** ggml's kvalues_iq4nl. */
    static final Codebook KVALUES = new Codebook(-127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113);

    @Override public GGMLType type() { return GGMLType.IQ4_NL; }

    @Override
    public void dequantize(MemorySegment w, long off, float[] out, int outOff, int n) {
        for (int b = 0; b < n / QK; b++) {
            long bo = off + (long) b * BLOCK;
            KVALUES.dequantize(w, bo + 2, f16(w, bo), out, outOff + b * QK);
        }
    }

    /**
     * Simplified versus llama.cpp's quantize_row_iq4_nl_impl (no scale search, no weights): d = max / -127 so the
     * absmax lands on -127, then each value takes the nearest grid entry.
     */
    @Override
    public void quantize(float[] in, int inOff, MemorySegment w, long off, int n) {
        for (int b = 0; b < n / QK; b++) {
            long bo = off + (long) b * BLOCK;
            int o = inOff + b * QK;
            putF16(w, bo, blockScale(in, o, QK) / -127f);
            quantizeBlock(in, o, f16(w, bo), w, bo + 2);
        }
    }

    /** The signed value of largest magnitude among in[o..o+n) (the first one on ties). */
    static float blockScale(float[] in, int o, int n) {
        float amax = 0, max = 0;
        for (int j = 0; j < n; j++) {
            if (Math.abs(in[o + j]) > amax) { amax = Math.abs(in[o + j]); max = in[o + j]; }
        }
        return max;
    }

    /** 32 values to nearest-entry nibbles at {@code qo} for scale d (16 bytes, ggml's nibble order). */
    static void quantizeBlock(float[] in, int o, float d, MemorySegment w, long qo) {
        for (int j = 0; j < 16; j++) {
            int q0 = KVALUES.nearest(in[o + j], d), q1 = KVALUES.nearest(in[o + j + 16], d);
            w.set(ValueLayout.JAVA_BYTE, qo + j, (byte) (q0 | q1 << 4));
        }
    }

    @Override
    void decode(MemorySegment w, long off, float[] dst, int n) {
        for (int b = 0; b < n / QK; b++) {
            long bo = off + (long) b * BLOCK;
            KVALUES.decode(w, bo + 2, f16(w, bo), dst, b * QK);
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
