package dev.shovel.ggml;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.IntVector;

/**
 * A 16-value table indexed by 4-bit quants (ggml's kvalues_iq4nl, kvalues_mxfp4). The vector lookup is a lane
 * permute: one table vector at 512-bit, two (lanes 0..7 and 8..15) at 256-bit.
 */
final class Codebook {
    private final int[] values;
    private final IntVector lo, hi;

    Codebook(int... values) {
        this.values = values.clone();
        lo = IntVector.fromArray(Vec.I, this.values, 0);
        hi = Vec.L == 8 ? IntVector.fromArray(Vec.I, this.values, 8) : lo;
    }

    int value(int q) { return values[q]; }

    /** The index of the entry nearest to {@code x / d}, as ggml's best_index: |value * d - x|, first minimum wins. */
    int nearest(float x, float d) {
        int best = 0;
        float err = Math.abs(values[0] * d - x);
        for (int i = 1; i < 16; i++) {
            float e = Math.abs(values[i] * d - x);
            if (e < err) { best = i; err = e; }
        }
        return best;
    }

    /** Scalar: the 16 bytes at {@code off} to 32 floats d * value; low nibbles to dst[o..o+16), high to o+16... */
    void dequantize(MemorySegment w, long off, float d, float[] dst, int o) {
        for (int j = 0; j < 16; j++) {
            int q = KQuants.b(w, off + j);
            dst[o + j] = d * values[q & 0xf];
            dst[o + j + 16] = d * values[q >> 4];
        }
    }

    /** Vector twin of {@link #dequantize(MemorySegment, long, float, float[], int)}, bit for bit. */
    void decode(MemorySegment w, long off, float d, float[] dst, int o) {
        for (int k = 0; k < 16; k += Vec.L) {
            IntVector q = Vec.ints(w, off + k);
            Vec.toFloat(lookup(Vec.lo(q))).mul(d).intoArray(dst, o + k);
            Vec.toFloat(lookup(Vec.hi(q))).mul(d).intoArray(dst, o + 16 + k);
        }
    }

    /** values[idx] per lane, idx in 0..15. */
    private IntVector lookup(IntVector idx) { return Vec.L == 16 ? idx.selectFrom(lo) : idx.selectFrom(lo, hi); }
}
