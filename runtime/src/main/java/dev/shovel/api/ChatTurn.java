package dev.shovel.api;

/**
 * One assistant reply and what it cost. {@code promptTokens} is the whole rendered conversation; of it,
 * {@code reusedTokens} were already in the KV cache and {@link #processedTokens()} were evaluated for this turn.
 */
public record ChatTurn(String reply, GenerationResult.StopReason stopReason, int promptTokens, int reusedTokens,
                       int generatedTokens, long promptNanos, long genNanos) {

    public int processedTokens() { return promptTokens - reusedTokens; }

    public double promptTokensPerSecond() { return promptNanos == 0 ? 0 : processedTokens() * 1e9 / promptNanos; }

    public double tokensPerSecond() { return genNanos == 0 ? 0 : generatedTokens * 1e9 / genNanos; }
}
