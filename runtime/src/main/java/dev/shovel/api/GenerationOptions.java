package dev.shovel.api;

import dev.shovel.ShovelException;
import dev.shovel.gen.SamplerParams;
import java.util.List;

/**
 * One generation: at most {@code maxTokens} new tokens ({@code < 0}: until an end-of-generation token or a full
 * context), the sampler, and stop strings (never part of the output).
 */
public record GenerationOptions(int maxTokens, SamplerParams sampler, List<String> stop) {

    public GenerationOptions {
        if (sampler == null) sampler = SamplerParams.DEFAULT;
        stop = stop == null ? List.of() : List.copyOf(stop);
        if (maxTokens < -1) throw new ShovelException("max tokens must be >= -1, got " + maxTokens);
    }

    public static GenerationOptions defaults() { return new GenerationOptions(-1, SamplerParams.DEFAULT, List.of()); }

    public static GenerationOptions greedy(int maxTokens) { return new GenerationOptions(maxTokens, SamplerParams.GREEDY, List.of()); }

    public GenerationOptions withMaxTokens(int n) { return new GenerationOptions(n, sampler, stop); }
    public GenerationOptions withSampler(SamplerParams s) { return new GenerationOptions(maxTokens, s, stop); }
    public GenerationOptions withStop(List<String> s) { return new GenerationOptions(maxTokens, sampler, s); }
}
