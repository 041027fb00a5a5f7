package dev.shovel.ggml;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/** Vector species and conversions shared by the type kernels. */
final class Vec {
    private Vec() {}

    static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    static final int L = F.length();
    /** Whether the vector kernels apply (256- or 512-bit floats); otherwise types use their scalar path. */
    static final boolean OK = L == 8 || L == 16;
    /** Bytes and shorts with as many lanes as F. */
    static final VectorSpecies<Byte> B = L == 16 ? ByteVector.SPECIES_128 : ByteVector.SPECIES_64;
    static final VectorSpecies<Short> S = L == 16 ? ShortVector.SPECIES_256 : ShortVector.SPECIES_128;
    static final VectorSpecies<Integer> I = L == 16 ? IntVector.SPECIES_512 : IntVector.SPECIES_256;

    /** Lane i holds i. */
    static final IntVector IOTA = IntVector.zero(I).addIndex(1);

    private static final FloatVector TWO_112 = FloatVector.broadcast(F, 0x1p112f);

    /** IEEE half bits (sign-extended shorts) to floats; exact for every half, infinities and NaNs included. */
    static FloatVector halfToFloat(ShortVector h) {
        IntVector x = (IntVector) h.convertShape(VectorOperators.S2I, I, 0);
        IntVector sign = x.and(0x8000).lanewise(VectorOperators.LSHL, 16);
        IntVector mag = x.and(0x7fff).lanewise(VectorOperators.LSHL, 13);
        IntVector bits = mag.reinterpretAsFloats().mul(TWO_112).reinterpretAsInts();
        VectorMask<Integer> special = x.and(0x7c00).eq(0x7c00);
        if (special.anyTrue()) bits = bits.lanewise(VectorOperators.OR, 0x7f800000, special); // exponent 31: Inf/NaN
        return bits.or(sign).reinterpretAsFloats();
    }

    /**
     * Shuffles that fold the upper half of the live lanes onto the lower: lane i takes lane i + L/2, then L/4, ...
     * Each is its own static final field, so C2 sees a constant and emits a permute; a shuffle read from an array is
     * not a constant, and rearrange then runs the Java fallback (a lambda per lane) in compiled code.
     */
    private static final VectorShuffle<Float> FOLD1 = fold(L / 2), FOLD2 = fold(L / 4), FOLD3 = fold(L / 8),
            FOLD4 = fold(Math.max(1, L / 16));

    private static VectorShuffle<Float> fold(int h) { return VectorShuffle.fromOp(F, i -> (i + h) % L); }

    /**
     * Sum of the lanes as a fixed pairwise tree. Used instead of {@code reduceLanes(ADD)}, whose float order may
     * differ between the interpreter and compiled code, so that results are bit-reproducible.
     */
    static float sum(FloatVector v) {
        if (L == 16) v = v.add(v.rearrange(FOLD1));
        if (L >= 8) {
            v = v.add(v.rearrange(L == 16 ? FOLD2 : FOLD1));
            v = v.add(v.rearrange(L == 16 ? FOLD3 : FOLD2));
            v = v.add(v.rearrange(L == 16 ? FOLD4 : FOLD3));
            return v.lane(0);
        }
        float s = 0; // scalar fallback sizes: plain order
        for (int i = 0; i < L; i++) s += v.lane(i);
        return s;
    }

    /** bfloat16 bits to floats. */
    static FloatVector bf16ToFloat(ShortVector h) {
        IntVector x = (IntVector) h.convertShape(VectorOperators.S2I, I, 0);
        return x.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
    }

    /** L bytes at {@code off}. */
    static ByteVector bytes(java.lang.foreign.MemorySegment w, long off) {
        return ByteVector.fromMemorySegment(B, w, off, java.nio.ByteOrder.LITTLE_ENDIAN);
    }

    /** L floats of {@code x} at {@code i}. */
    static FloatVector x(float[] x, int i) { return FloatVector.fromArray(F, x, i); }

    /**
     * L bytes at {@code off} widened to int lanes (sign-extended). Bit work on quants is done on int lanes: x86 has
     * no byte shifts, and the Vector API falls back to slow Java code for them.
     */
    static IntVector ints(java.lang.foreign.MemorySegment w, long off) {
        return (IntVector) bytes(w, off).convertShape(VectorOperators.B2I, I, 0);
    }

    static FloatVector toFloat(IntVector v) { return (FloatVector) v.convert(VectorOperators.I2F, 0); }

    /** Low nibbles (0..15) of widened bytes. */
    static IntVector lo(IntVector q) { return q.and(0xf); }

    /** High nibbles (0..15) of widened bytes. */
    static IntVector hi(IntVector q) { return q.lanewise(VectorOperators.LSHR, 4).and(0xf); }

    /** Bit {@code from} of each lane moved to bit {@code to}; other bits cleared. */
    static IntVector bit(IntVector v, int from, int to) {
        IntVector s = from <= to ? v.lanewise(VectorOperators.LSHL, to - from) : v.lanewise(VectorOperators.LSHR, from - to);
        return s.and(1 << to);
    }

    /** Signed bytes (L lanes) to floats. */
    static FloatVector bytesToFloat(ByteVector b) {
        return (FloatVector) b.convertShape(VectorOperators.B2F, F, 0);
    }
}
