package dev.shovel.backend;

/**
 * Shapes and options of one attention layer. {@code window > 0} limits a query at pos p to keys at pos j with
 * p - j < window; {@code softcap > 0} applies c * tanh(s / c) to scores.
 */
public record AttnSpec(int nHead, int nHeadKv, int headDim, float scale, int window, float softcap) {}
