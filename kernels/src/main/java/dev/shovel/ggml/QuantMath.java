package dev.shovel.ggml;

/** Rounding helpers shared by the reference quantizers, with ggml's exact semantics. */
final class QuantMath {
    private QuantMath() {}

    /** C {@code roundf}: nearest integer, halves away from zero (Math.round rounds -2.5 to -2). */
    static int roundf(float v) {
        float a = Math.abs(v);
        float r = (float) Math.floor(a);
        if (a - r >= 0.5f) r += 1f;
        return (int) Math.copySign(r, v);
    }

    /** ggml's {@code nearest_int}: round half to even via the 1.5 * 2^23 trick; valid for |v| <= 4194303. */
    static int nearestInt(float v) {
        int i = Float.floatToRawIntBits(v + 12582912f);
        return (i & 0x007fffff) - 0x00400000;
    }

    /** C's {@code (int8_t) f} for the small non-negative values the 4/5-bit quantizers produce (truncation). */
    static int truncByte(float v) {
        return (byte) (int) v;
    }
}
