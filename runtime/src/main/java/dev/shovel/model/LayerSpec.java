package dev.shovel.model;

import dev.shovel.backend.AttnSpec;
import dev.shovel.backend.RopeSpec;

/**
 * What one block's attention does: its rotary embedding ({@code null} = none, as smollm3's every fourth layer), and
 * its attention spec (scale, soft-cap, and a sliding window on gemma2/gemma3 local layers). {@code ropeLong} is the
 * LongRoPE variant used when the context exceeds the original training context (phi3's {@code rope_factors_long}).
 */
public record LayerSpec(RopeSpec rope, RopeSpec ropeLong, AttnSpec attn) {

    public boolean sliding() { return attn.window() > 0; }

    /** The rotary embedding for a cache of {@code nCtx} cells (llama.cpp picks LongRoPE factors by context size). */
    public RopeSpec rope(int nCtx, int origCtx) {
        return ropeLong != null && nCtx > origCtx ? ropeLong : rope;
    }
}
