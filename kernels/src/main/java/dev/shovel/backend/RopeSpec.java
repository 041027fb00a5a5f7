package dev.shovel.backend;

/**
 * Rotary embedding of the first {@code nRot} dims of each head. {@code neox}: pairs (i, i + nRot/2) as GPT-NeoX;
 * otherwise adjacent pairs (2i, 2i+1). theta_i = pos * posScale * base^(-2i/nRot) / factors[i] (factors may be null).
 */
public record RopeSpec(int nRot, float base, boolean neox, float posScale, float[] factors) {}
