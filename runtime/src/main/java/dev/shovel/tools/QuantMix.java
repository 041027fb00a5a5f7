package dev.shovel.tools;

import dev.shovel.gguf.GGMLType;
import dev.shovel.gguf.GGUFException;
import java.util.Map;

/**
 * Which ggml type each weight gets: one type for every 2-D weight, or llama-quantize's Q4_K_M mix, or its MXFP4_MOE
 * (experts MXFP4, the other matrices Q8_0). The Q4_K_M mix follows llama.cpp's {@code llama_tensor_get_type}
 * (llama-quant.cpp) for non-Falcon, non-70B models (experts as the dense FFN's roles), and the shape fallback of
 * {@code tensor_type_fallback} applies to all.
 */
public final class QuantMix {
    public static final String Q4_K_M = "q4_k_m", MXFP4_MOE = "mxfp4_moe";

    /** Weight roles that llama-quant.cpp tells apart. */
    public enum Role {
        TOKEN_EMBD, OUTPUT, ATTN_Q, ATTN_K, ATTN_V, ATTN_QKV, ATTN_OUTPUT, FFN_GATE, FFN_UP, FFN_DOWN,
        EXP_GATE, EXP_UP, EXP_DOWN; // the experts' ffn_*_exps

        /** The dense FFN role whose Q4_K_M rule an expert tensor follows. */
        Role dense() {
            return switch (this) {
                case EXP_GATE -> FFN_GATE;
                case EXP_UP -> FFN_UP;
                case EXP_DOWN -> FFN_DOWN;
                default -> this;
            };
        }

        boolean expert() { return this == EXP_GATE || this == EXP_UP || this == EXP_DOWN; }
    }

    /** Type on ordinary layers, and on layers where {@code use_more_bits} holds. */
    private record Rule(GGMLType normal, GGMLType moreBits) {}

    // Q4_K_M: base Q4_K; attn_v and ffn_down Q6_K on "more bits" layers; output (and a tied token_embd) Q6_K;
    // a fused attn_qkv Q5_K
    private static final Map<Role, Rule> Q4_K_M_RULES = Map.of(
            Role.OUTPUT, new Rule(GGMLType.Q6_K, GGMLType.Q6_K),
            Role.ATTN_QKV, new Rule(GGMLType.Q5_K, GGMLType.Q5_K),
            Role.ATTN_V, new Rule(GGMLType.Q4_K, GGMLType.Q6_K),
            Role.FFN_DOWN, new Rule(GGMLType.Q4_K, GGMLType.Q6_K));
    private static final Rule Q4_K_M_DEFAULT = new Rule(GGMLType.Q4_K, GGMLType.Q4_K);

    // tensor_type_fallback: a type whose block does not divide the row length is replaced (then F16 as last resort)
    private static final Map<GGMLType, GGMLType> FALLBACK = Map.of(
            GGMLType.Q2_K, GGMLType.Q4_0, GGMLType.Q3_K, GGMLType.Q4_0, GGMLType.TQ1_0, GGMLType.Q4_0,
            GGMLType.TQ2_0, GGMLType.Q4_0, GGMLType.Q4_K, GGMLType.Q5_0, GGMLType.Q5_K, GGMLType.Q5_1,
            GGMLType.Q6_K, GGMLType.Q8_0);

    private final String name;
    private final GGMLType single;  // null for the Q4_K_M mix

    private QuantMix(String name, GGMLType single) {
        this.name = name;
        this.single = single;
    }

    /** {@code q4_k_m} or a tensor type name (f32, q8_0, q4_k, …). */
    public static QuantMix parse(String weights) {
        if (weights == null) throw new ToolsException("no weight type given");
        if (weights.equalsIgnoreCase(Q4_K_M)) return new QuantMix(Q4_K_M, null);
        if (weights.equalsIgnoreCase(MXFP4_MOE)) return new QuantMix(MXFP4_MOE, null);
        try {
            GGMLType t = GGMLType.parse(weights);
            if (FileType.of(t) < 0) throw new ToolsException("weight type " + weights + " is not a model file type");
            return new QuantMix(t.name().toLowerCase(), t);
        } catch (GGUFException e) {
            throw new ToolsException("unknown weight type '" + weights + "' (use f32, f16, bf16, q8_0, q4_0, q4_k_m, …)");
        }
    }

    public String name() { return name; }

    /** The one type of every 2-D weight, or null for a mix. */
    public GGMLType single() { return single; }

    /** {@code general.file_type}. */
    public int fileType() {
        return single != null ? FileType.of(single) : name.equals(MXFP4_MOE) ? FileType.MOSTLY_MXFP4_MOE : FileType.MOSTLY_Q4_K_M;
    }

    /** llama-quant.cpp's {@code use_more_bits}: first and last eighth of the layers, and every third in between. */
    static boolean useMoreBits(int layer, int nLayer) {
        return layer < nLayer / 8 || layer >= 7 * nLayer / 8 || (layer - nLayer / 8) % 3 == 2;
    }

    /** Type of a 2-D weight of this role with rows of {@code rowLength}; {@code layer} is ignored for global ones. */
    public GGMLType typeOf(Role role, int layer, int nLayer, long rowLength, boolean tied) {
        GGMLType t = single;
        if (t == null && name.equals(MXFP4_MOE)) {
            t = role.expert() ? GGMLType.MXFP4 : GGMLType.Q8_0;
        } else if (t == null) {
            Role r = role == Role.TOKEN_EMBD && tied ? Role.OUTPUT : role.dense();
            Rule rule = Q4_K_M_RULES.getOrDefault(r, Q4_K_M_DEFAULT);
            if (r == Role.OUTPUT && rowLength % GGMLType.Q6_K.blockSize != 0) return GGMLType.Q8_0;
            t = (r == Role.ATTN_V || r == Role.FFN_DOWN) && useMoreBits(layer, nLayer) ? rule.moreBits : rule.normal;
        }
        return fallback(t, rowLength);
    }

    /** {@code t}, or its replacement when rows of {@code rowLength} are not whole blocks of it. */
    public static GGMLType fallback(GGMLType t, long rowLength) {
        if (rowLength % t.blockSize == 0) return t;
        GGMLType f = FALLBACK.get(t);
        return f != null && rowLength % f.blockSize == 0 ? f : GGMLType.F16;
    }
}
