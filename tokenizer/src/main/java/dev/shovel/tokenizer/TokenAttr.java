package dev.shovel.tokenizer;

/** Token attribute bits (llama_token_attr) and the GGUF token types they come from. */
public final class TokenAttr {
    public static final int UNDEFINED = 0;
    public static final int UNKNOWN = 1;
    public static final int UNUSED = 1 << 1;
    public static final int NORMAL = 1 << 2;
    public static final int CONTROL = 1 << 3;
    public static final int USER_DEFINED = 1 << 4;
    public static final int BYTE = 1 << 5;
    public static final int NORMALIZED = 1 << 6;
    public static final int LSTRIP = 1 << 7;
    public static final int RSTRIP = 1 << 8;
    public static final int SINGLE_WORD = 1 << 9;

    // tokenizer.ggml.token_type values (llama_token_type)
    static final int TYPE_UNDEFINED = 0;
    static final int TYPE_NORMAL = 1;
    static final int TYPE_UNKNOWN = 2;
    static final int TYPE_CONTROL = 3;
    static final int TYPE_USER_DEFINED = 4;
    static final int TYPE_UNUSED = 5;
    static final int TYPE_BYTE = 6;

    private TokenAttr() {}

    static int fromType(int type) {
        return switch (type) {
            case TYPE_UNKNOWN -> UNKNOWN;
            case TYPE_UNUSED -> UNUSED;
            case TYPE_NORMAL -> NORMAL;
            case TYPE_CONTROL -> CONTROL;
            case TYPE_USER_DEFINED -> USER_DEFINED;
            case TYPE_BYTE -> BYTE;
            default -> UNDEFINED;
        };
    }
}
