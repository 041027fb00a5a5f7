package dev.shovel.gguf;

/** Every ggml tensor type with its GGUF id and block layout (elements per block, bytes per block). */
public enum GGMLType {
    F32(0, 1, 4), F16(1, 1, 2), Q4_0(2, 32, 18), Q4_1(3, 32, 20),
    Q5_0(6, 32, 22), Q5_1(7, 32, 24), Q8_0(8, 32, 34), Q8_1(9, 32, 36),
    Q2_K(10, 256, 84), Q3_K(11, 256, 110), Q4_K(12, 256, 144), Q5_K(13, 256, 176),
    Q6_K(14, 256, 210), Q8_K(15, 256, 292),
    IQ2_XXS(16, 256, 66), IQ2_XS(17, 256, 74), IQ3_XXS(18, 256, 98), IQ1_S(19, 256, 50),
    IQ4_NL(20, 32, 18), IQ3_S(21, 256, 110), IQ2_S(22, 256, 82), IQ4_XS(23, 256, 136),
    I8(24, 1, 1), I16(25, 1, 2), I32(26, 1, 4), I64(27, 1, 8), F64(28, 1, 8),
    IQ1_M(29, 256, 56), BF16(30, 1, 2), TQ1_0(34, 256, 54), TQ2_0(35, 256, 66),
    MXFP4(39, 32, 17);

    public final int id;
    public final int blockSize;
    public final int typeSize;

    GGMLType(int id, int blockSize, int typeSize) {
        this.id = id;
        this.blockSize = blockSize;
        this.typeSize = typeSize;
    }

    private static final GGMLType[] BY_ID = new GGMLType[64];
    static {
        for (GGMLType t : values()) BY_ID[t.id] = t;
    }

    /** The type with this GGUF id, or an error naming the id. */
    public static GGMLType fromId(int id) {
        GGMLType t = id >= 0 && id < BY_ID.length ? BY_ID[id] : null;
        if (t == null) throw new GGUFException("unknown ggml tensor type id " + id);
        return t;
    }

    /** Bytes taken by {@code n} elements; n must be a multiple of the block size. */
    public long bytesFor(long n) {
        if (n % blockSize != 0) {
            throw new GGUFException(this + " needs rows that are a multiple of " + blockSize + ", got " + n);
        }
        return n / blockSize * typeSize;
    }

    /** Parses a type name as llama.cpp spells it (case-insensitive: q8_0, Q4_K, f16). */
    public static GGMLType parse(String name) {
        for (GGMLType t : values()) if (t.name().equalsIgnoreCase(name)) return t;
        throw new GGUFException("unknown tensor type '" + name + "'");
    }
}
