package dev.shovel.api;

import dev.shovel.ShovelException;
import dev.shovel.gen.SamplerParams;
import java.util.List;

/**
 * One generation: at most {@code maxTokens} new tokens ({@code < 0}: until an end-of-generation token or a full
 * context), the sampler, and stop strings (never part of the output). A {@code picker}, when set, chooses each token
 * instead of the sampler (custom samplers, scripted tests).
 */
public record GenerationOptions(int maxTokens, SamplerParams sampler, List<String> stop, TokenPicker picker) {

    /** Chooses the next token from the logits; {@code tokens} are the tokens in the cache so far. */
    @FunctionalInterface
    public interface TokenPicker {
        int pick(float[] logits, int[] tokens);
    }

    public GenerationOptions {
        if (sampler == null) sampler = SamplerParams.DEFAULT;
        stop = stop == null ? List.of() : List.copyOf(stop);
        if (maxTokens < -1) throw new ShovelException("max tokens must be >= -1, got " + maxTokens);
    }

    public GenerationOptions(int maxTokens, SamplerParams sampler, List<String> stop) {
        this(maxTokens, sampler, stop, null);
    }

    public static GenerationOptions defaults() { return new GenerationOptions(-1, SamplerParams.DEFAULT, List.of()); }

    public static GenerationOptions greedy(int maxTokens) { return new GenerationOptions(maxTokens, SamplerParams.GREEDY, List.of()); }

    public GenerationOptions withMaxTokens(int n) { return new GenerationOptions(n, sampler, stop, picker); }
    public GenerationOptions withSampler(SamplerParams s) { return new GenerationOptions(maxTokens, s, stop, picker); }
    public GenerationOptions withStop(List<String> s) { return new GenerationOptions(maxTokens, sampler, s, picker); }
    public GenerationOptions withPicker(TokenPicker p) { return new GenerationOptions(maxTokens, sampler, stop, p); }
}
