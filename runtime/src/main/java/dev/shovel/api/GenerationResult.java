package dev.shovel.api;

/** What a generation produced and how long it took. */
public record GenerationResult(String text, int[] tokens, StopReason stopReason, int promptTokens, long promptNanos,
                               long genNanos) {

    public enum StopReason { END_OF_GENERATION, STOP_STRING, MAX_TOKENS, CONTEXT_FULL, CANCELLED }

    public int generatedTokens() { return tokens.length; }

    public double promptTokensPerSecond() { return promptNanos == 0 ? 0 : promptTokens * 1e9 / promptNanos; }

    public double tokensPerSecond() { return genNanos == 0 ? 0 : tokens.length * 1e9 / genNanos; }
}
