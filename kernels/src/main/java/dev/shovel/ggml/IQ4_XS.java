package dev.shovel.ggml;

import static dev.shovel.ggml.IQ4_NL.KVALUES;
import static dev.shovel.ggml.KQuants.QK_K;

import dev.shovel.gguf.GGMLType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * GGML_TYPE_IQ4_XS: super-blocks of 256 = fp16 d, uint16 scales_h, 4 bytes scales_l, 128 bytes of nibbles. Sub-block
 * ib (32 elements) has the 6-bit scale ls = low nibble ib of scales_l | bits 2ib..2ib+1 of scales_h << 4 and bytes
 * 16ib..16ib+15, laid out as an IQ4_NL block: x = d * (ls - 32) * kvalues_iq4nl[q].
 */
public final class IQ4_XS extends QuantOps {
    public static final IQ4_XS INSTANCE = new IQ4_XS();
    static final int BLOCK = 136, SCALES_H = 2, SCALES_L = 4, QS = 8;

    @Override public GGMLType type() { return GGMLType.IQ4_XS; }

    /** Sub-block ib's scale ls - 32 (-32..31). */
    static int scale(MemorySegment w, long bo, int ib) {
        int lo = KQuants.b(w, bo + SCALES_L + ib / 2) >> 4 * (ib % 2) & 0xf;
        int hi = w.get(I16, bo + SCALES_H) >> 2 * ib & 3;
        return (lo | hi << 4) - 32;
    }

    @Override
    public void dequantize(MemorySegment w, long off, float[] out, int outOff, int n) {
        for (int b = 0; b < n / QK_K; b++) {
            long bo = off + (long) b * BLOCK;
            float d = f16(w, bo);
            for (int ib = 0; ib < 8; ib++) {
                KVALUES.dequantize(w, bo + QS + 16 * ib, d * scale(w, bo, ib), out, outOff + b * QK_K + 32 * ib);
            }
        }
    }

    /**
     * Simplified versus llama.cpp's quantize_row_iq4_xs_impl (no scale search, no weights): each sub-block's scale is
     * its max / -127 as in IQ4_NL, d = the largest of them / -32, ls = round(scale / d) clamped to -32..31, then each
     * value takes the nearest grid entry for d * ls.
     */
    @Override
    public void quantize(float[] in, int inOff, MemorySegment w, long off, int n) {
        float[] s = new float[8];
        for (int b = 0; b < n / QK_K; b++) {
            long bo = off + (long) b * BLOCK;
            int o = inOff + b * QK_K;
            float max = 0;
            for (int ib = 0; ib < 8; ib++) {
                s[ib] = IQ4_NL.blockScale(in, o + 32 * ib, 32) / -127f;
                if (Math.abs(s[ib]) > Math.abs(max)) max = s[ib];
            }
            putF16(w, bo, max / -32f);
            float d = f16(w, bo), id = d != 0 ? 1f / d : 0f;
            int h = 0;
            for (int ib = 0; ib < 8; ib++) {
                int ls = Math.clamp(QuantMath.nearestInt(s[ib] * id), -32, 31) + 32;
                long lo = bo + SCALES_L + ib / 2;
                int prev = ib % 2 == 0 ? 0 : KQuants.b(w, lo);
                w.set(ValueLayout.JAVA_BYTE, lo, (byte) (prev | (ls & 0xf) << 4 * (ib % 2)));
                h |= (ls >> 4) << 2 * ib;
                IQ4_NL.quantizeBlock(in, o + 32 * ib, d * (ls - 32), w, bo + QS + 16 * ib);
            }
            w.set(I16, bo + SCALES_H, (short) h);
        }
    }

    @Override
    void decode(MemorySegment w, long off, float[] dst, int n) {
        for (int b = 0; b < n / QK_K; b++) {
            long bo = off + (long) b * BLOCK;
            float d = f16(w, bo);
            for (int ib = 0; ib < 8; ib++) KVALUES.decode(w, bo + QS + 16 * ib, d * scale(w, bo, ib), dst, b * QK_K + 32 * ib);
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
