package dev.shovel.model;

import dev.shovel.ShovelException;
import java.util.List;

/**
 * How a {@code general.architecture} departs from Llama's block, as llama.cpp builds its graph (src/models/*.cpp).
 * Numbers (scales, windows, RoPE bases) come from the file's metadata and are read by {@link ModelConfig#from}.
 *
 * @param ropeNeox    RoPE rotates pairs (i, i + n_rot/2) as GPT-NeoX; otherwise adjacent pairs (llama.cpp's NORM)
 * @param layerNorm   LayerNorm with bias instead of RMSNorm (starcoder2)
 * @param ffn         the feed-forward block
 * @param preNorm     attn_norm / ffn_norm before each block (all but olmo2)
 * @param postNorm    post_attention_norm / post_ffw_norm on each block's output, before the residual add
 * @param qkNorm      attn_q_norm / attn_k_norm on Q and K before RoPE (per head, or whole vectors for olmo2)
 * @param scaleEmbd   token embeddings multiplied by sqrt(n_embd) (the Gemma family)
 * @param ffnNorm     the feed-forward block's pre-norm tensor: ffn_norm, or post_attention_norm in gpt-oss
 */
public record Architecture(String name, boolean ropeNeox, boolean layerNorm, Ffn ffn, boolean preNorm,
                           boolean postNorm, boolean qkNorm, boolean scaleEmbd, String ffnNorm) {

    public Architecture(String name, boolean ropeNeox, boolean layerNorm, Ffn ffn, boolean preNorm, boolean postNorm,
                        boolean qkNorm, boolean scaleEmbd) {
        this(name, ropeNeox, layerNorm, ffn, preNorm, postNorm, qkNorm, scaleEmbd, "ffn_norm");
    }

    /** SwiGLU: silu(gate) * up; GEGLU: tanh-gelu(gate) * up; GELU: a plain MLP, tanh-gelu(up). */
    public enum Ffn { SWIGLU, GEGLU, GELU }

    public static final List<String> SUPPORTED = List.of(
            "llama", "qwen2", "qwen2moe", "qwen3", "qwen3moe", "phi3", "gemma", "gemma2", "gemma3", "granite", "olmo2", "smollm3", "starcoder2", "gpt-oss", "deepseek2");

    /** The {@code general.architecture} value. */
    @Override public String toString() { return name; }

    public static Architecture of(String name) {
        Ffn swi = Ffn.SWIGLU, geg = Ffn.GEGLU;
        return switch (name) {
            //                                neox   layerN  ffn   pre    post   qkNorm scaleEmbd
            case "llama", "granite", "smollm3" -> new Architecture(name, false, false, swi, true, false, false, false);
            case "qwen2", "qwen2moe", "phi3" -> new Architecture(name, true, false, swi, true, false, false, false);
            case "qwen3", "qwen3moe" -> new Architecture(name, true, false, swi, true, false, true, false);
            case "gemma" -> new Architecture(name, true, false, geg, true, false, false, true);
            case "gemma2" -> new Architecture(name, true, false, geg, true, true, false, true);
            case "gemma3" -> new Architecture(name, true, false, geg, true, true, true, true);
            case "olmo2" -> new Architecture(name, true, false, swi, false, true, true, false);
            case "starcoder2" -> new Architecture(name, true, true, Ffn.GELU, true, false, false, false);
            case "deepseek2" -> new Architecture(name, false, false, swi, true, false, false, false);
            case "gpt-oss" -> new Architecture(name, true, false, swi, true, false, false, false, "post_attention_norm");
            default -> throw new ShovelException("unsupported architecture '" + name + "' (supported: "
                    + String.join(", ", SUPPORTED) + ")");
        };
    }
}
