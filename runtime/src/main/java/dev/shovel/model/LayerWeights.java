package dev.shovel.model;

import dev.shovel.backend.Weight;

/**
 * One transformer block's tensors, resolved at load (llama.cpp names in comments; {@code *B} are the matching
 * {@code .bias} tensors). Optional tensors are null when the file has none.
 */
public record LayerWeights(
        Weight attnNorm, Weight attnNormB,  // blk.N.attn_norm (absent in olmo2)
        Weight wq, Weight bq,               // blk.N.attn_q, or rows of a fused blk.N.attn_qkv (phi3)
        Weight wk, Weight bk,               // blk.N.attn_k
        Weight wv, Weight bv,               // blk.N.attn_v
        Weight qNorm, Weight kNorm,         // blk.N.attn_q_norm / attn_k_norm: per head, or whole vectors (olmo2)
        Weight wo, Weight bo,               // blk.N.attn_output
        Weight postAttnNorm,                // blk.N.post_attention_norm
        Weight ffnNorm, Weight ffnNormB,    // blk.N.ffn_norm (absent in olmo2)
        Weight ffnGate, Weight ffnGateB,    // blk.N.ffn_gate, or the first half of a fused ffn_up (phi3); none in an MLP or MoE
        Weight ffnUp, Weight ffnUpB,        // blk.N.ffn_up
        Weight ffnDown, Weight ffnDownB,    // blk.N.ffn_down
        Weight postFfnNorm,                 // blk.N.post_ffw_norm
        ExpertWeights moe,                  // a mixture-of-experts FFN instead of ffn_gate/up/down
        MlaWeights mla) {                   // multi-head latent attention instead of attn_k/attn_v (deepseek2)
}
