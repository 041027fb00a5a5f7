package dev.shovel.model;

import dev.shovel.backend.Weight;

/** A multi-head latent attention block's tensors (llama.cpp names); the query's low-rank pair is null without one. */
public record MlaWeights(
        Weight qA, Weight qANorm, Weight qB, // blk.N.attn_q_a, attn_q_a_norm, attn_q_b (or the plain attn_q in wq)
        Weight kvA,                          // blk.N.attn_kv_a_mqa [n_embd -> kv_lora + rope]
        Weight kvANorm,                      // blk.N.attn_kv_a_norm [kv_lora]
        Weight[] kB,                         // blk.N.attn_k_b per head [qk_nope -> kv_lora]: absorbs q_nope
        Weight[] vB) {                       // blk.N.attn_v_b per head [kv_lora -> v_head]
}
