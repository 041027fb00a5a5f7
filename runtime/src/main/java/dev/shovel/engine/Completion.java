package dev.shovel.engine;

import dev.shovel.api.GenerationResult.StopReason;

/**
 * How a request ended: its text and tokens, why it stopped, the prompt's size and how much of it the slot's cache
 * already held, and the time spent queued, on the prompt and generating. {@code error} is set when the engine failed
 * (then {@code stopReason} is null).
 */
public record Completion(String text, int[] tokens, StopReason stopReason, int promptTokens, int cachedTokens,
                         long queueNanos, long promptNanos, long genNanos, Throwable error) {

    public int generatedTokens() { return tokens.length; }

    public double tokensPerSecond() { return genNanos == 0 ? 0 : tokens.length * 1e9 / genNanos; }

    public double promptTokensPerSecond() {
        return promptNanos == 0 ? 0 : (promptTokens - cachedTokens) * 1e9 / promptNanos;
    }
}
