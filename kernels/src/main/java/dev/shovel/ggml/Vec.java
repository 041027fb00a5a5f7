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

    // Helpers that take or return vectors stay under C2's always-inline size (35 bytecodes): a vector passed to a call
    // that C2 declines to inline (cold call site, OSR) is boxed, an allocation per call.

    /** Sign-extended shorts to int lanes. */
    static IntVector s2i(ShortVector h) { return (IntVector) h.convertShape(VectorOperators.S2I, I, 0); }

    /**
     * Half bits (sign-extended in int lanes) to floats, exact for every finite half, subnormals included: shifted left
     * 13, the sign stays in bit 31 and exponent and mantissa land in bits 27..13; 2^112 rebiases the exponent.
     * Infinities and NaNs come out as large finite values ({@link #halfToFloat} fixes them).
     */
    static FloatVector finiteHalf(IntVector x) {
        return x.lanewise(VectorOperators.LSHL, 13).and(0x8fffe000).reinterpretAsFloats().mul(TWO_112);
    }

    /** IEEE half bits (sign-extended shorts) to floats; exact for every half, infinities and NaNs included. */
    static FloatVector halfToFloat(ShortVector h) {
        IntVector x = s2i(h);
        return special(x, finiteHalf(x));
    }

    /** Exponent 31 (infinity, NaN): the float exponent all ones, mantissa and sign kept. */
    private static FloatVector special(IntVector x, FloatVector f) {
        VectorMask<Integer> m = x.and(0x7c00).eq(0x7c00);
        return m.anyTrue() ? orBits(f, m) : f;
    }

    private static FloatVector orBits(FloatVector f, VectorMask<Integer> m) {
        return f.reinterpretAsInts().lanewise(VectorOperators.OR, 0x7f800000, m).reinterpretAsFloats();
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
     * differ between the interpreter and compiled code, so that results are bit-reproducible. Every piece is under
     * C2's always-inline size: a vector passed to a call that is not inlined is boxed (an allocation per row).
     */
    static float sum(FloatVector v) { return L == 16 ? f4(f3(f2(f1(v)))).lane(0) : sum8(v); }

    private static float sum8(FloatVector v) { return L == 8 ? f3(f2(f1(v))).lane(0) : sumLanes(v); }

    private static FloatVector f1(FloatVector v) { return v.add(v.rearrange(FOLD1)); }

    private static FloatVector f2(FloatVector v) { return v.add(v.rearrange(FOLD2)); }

    private static FloatVector f3(FloatVector v) { return v.add(v.rearrange(FOLD3)); }

    private static FloatVector f4(FloatVector v) { return v.add(v.rearrange(FOLD4)); }

    /** {@link #sum(FloatVector)} of the L floats in {@code a}, in the same order, without vectors. */
    static float sum(float[] a) {
        for (int h = L / 2; h >= 1; h /= 2) {
            for (int i = 0; i < h; i++) a[i] += a[i + h];
        }
        return a[0];
    }

    /** Vector sizes the kernels do not handle: lanes in order. */
    private static float sumLanes(FloatVector v) {
        float s = 0;
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

    /** L bytes at {@code off} zero-extended to int lanes. */
    static IntVector ubytes(java.lang.foreign.MemorySegment w, long off) {
        return (IntVector) bytes(w, off).convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
    }

    static FloatVector toFloat(IntVector v) { return (FloatVector) v.convert(VectorOperators.I2F, 0); }

    /** Low nibbles (0..15) of widened bytes. */
    static IntVector lo(IntVector q) { return q.and(0xf); }

    /** High nibbles (0..15) of widened bytes. */
    static IntVector hi(IntVector q) { return q.lanewise(VectorOperators.LSHR, 4).and(0xf); }

    /** Bit {@code from} of each lane moved to bit {@code to}; other bits cleared. */
    static IntVector bit(IntVector v, int from, int to) { return shift(v, to - from).and(1 << to); }

    /** v shifted left by {@code k} (right by -k when negative). */
    private static IntVector shift(IntVector v, int k) {
        return k >= 0 ? v.lanewise(VectorOperators.LSHL, k) : v.lanewise(VectorOperators.LSHR, -k);
    }

    /** Signed bytes (L lanes) to floats. */
    static FloatVector bytesToFloat(ByteVector b) {
        return (FloatVector) b.convertShape(VectorOperators.B2F, F, 0);
    }
}
