package dev.shovel.backend;

/**
 * Shapes and options of one attention layer. {@code window > 0} limits a query at pos p to keys at pos j with
 * p - j < window; {@code softcap > 0} applies c * tanh(s / c) to scores; {@code sinks} (null or one per head, gpt-oss)
 * add exp(sink) to each head's softmax denominator, a logit with no value.
 */
public record AttnSpec(int nHead, int nHeadKv, int headDim, float scale, int window, float softcap, float[] sinks) {
    public AttnSpec(int nHead, int nHeadKv, int headDim, float scale, int window, float softcap) {
        this(nHead, nHeadKv, headDim, scale, window, softcap, null);
    }
}
