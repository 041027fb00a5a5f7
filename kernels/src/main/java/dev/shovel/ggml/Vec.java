package dev.shovel.ggml;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
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
     * Sum of the lanes in a fixed order (lane 0 first). Used instead of {@code reduceLanes(ADD)}, whose float order
     * may differ between the interpreter and compiled code, so that results are bit-reproducible.
     */
    static float sum(FloatVector v) {
        float s = 0;
        for (int i = 0; i < v.length(); i++) s += v.lane(i);
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

    /** Low nibbles of bytes as floats 0..15. */
    static FloatVector lo(ByteVector b) { return bytesToFloat(b.and((byte) 0xf)); }

    /** High nibbles of bytes as floats 0..15. */
    static FloatVector hi(ByteVector b) { return bytesToFloat(b.lanewise(VectorOperators.LSHR, 4)); }

    /** Signed bytes (L lanes) to floats. */
    static FloatVector bytesToFloat(ByteVector b) {
        return (FloatVector) b.convertShape(VectorOperators.B2F, F, 0);
    }
}
