package dev.shovel.model;

import dev.shovel.backend.Weight;

/** One transformer block's tensors, resolved at load (llama.cpp names in comments). */
public record LayerWeights(
        Weight attnNorm,   // blk.N.attn_norm
        Weight wq,         // blk.N.attn_q
        Weight wk,         // blk.N.attn_k
        Weight wv,         // blk.N.attn_v
        Weight wo,         // blk.N.attn_output
        Weight ffnNorm,    // blk.N.ffn_norm
        Weight ffnGate,    // blk.N.ffn_gate
        Weight ffnUp,      // blk.N.ffn_up
        Weight ffnDown) {  // blk.N.ffn_down
}
