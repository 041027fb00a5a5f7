package dev.shovel.model;

import dev.shovel.backend.Weight;

/**
 * A mixture-of-experts block's tensors (llama.cpp names): per expert, views of the 3-D {@code *_exps} tensors;
 * shared-expert tensors are null when the block has none.
 */
public record ExpertWeights(
        Weight router, Weight routerB,          // blk.N.ffn_gate_inp [n_embd -> n_expert], its bias (gpt-oss)
        Weight[] gate, Weight[] up, Weight[] down, // blk.N.ffn_{gate,up,down}_exps, one view per expert
        Weight[] gateB, Weight[] upB, Weight[] downB, // their biases per expert (gpt-oss), or null
        Weight sharedGate, Weight sharedUp, Weight sharedDown, // blk.N.ffn_{gate,up,down}_shexp
        Weight sharedRouter) {                  // blk.N.ffn_gate_inp_shexp [n_embd]: the shared FFN's scalar gate
}
