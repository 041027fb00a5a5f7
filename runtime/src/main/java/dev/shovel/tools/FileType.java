package dev.shovel.tools;

import dev.shovel.gguf.GGMLType;

/** llama.cpp's {@code llama_ftype} ids ({@code general.file_type}) for files made of one main tensor type. */
public final class FileType {
    private FileType() {}

    public static final int ALL_F32 = 0;
    public static final int MOSTLY_Q4_K_M = 15;
    public static final int MOSTLY_MXFP4_MOE = 38;

    /** The file type llama-quantize records for a file whose 2-D weights are {@code t}; -1 when it has none. */
    public static int of(GGMLType t) {
        return switch (t) {
            case F32 -> 0;
            case F16 -> 1;
            case Q4_0 -> 2;
            case Q4_1 -> 3;
            case Q8_0 -> 7;
            case Q5_0 -> 8;
            case Q5_1 -> 9;
            case Q2_K -> 10;
            case Q3_K -> 12;    // Q3_K_M, the type "Q3_K" names in llama-quantize
            case Q4_K -> 15;    // Q4_K_M
            case Q5_K -> 17;    // Q5_K_M
            case Q6_K -> 18;
            case IQ2_XXS -> 19;
            case IQ2_XS -> 20;
            case IQ3_XXS -> 23;
            case IQ1_S -> 24;
            case IQ4_NL -> 25;
            case IQ3_S -> 26;
            case IQ2_S -> 28;
            case IQ4_XS -> 30;
            case IQ1_M -> 31;
            case BF16 -> 32;
            case TQ1_0 -> 36;
            case TQ2_0 -> 37;
            case MXFP4 -> 38;   // MXFP4_MOE
            default -> -1;
        };
    }
}
