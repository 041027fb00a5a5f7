package dev.shovel.api;

import dev.shovel.ShovelException;
import dev.shovel.gen.SamplerParams;
import dev.shovel.grammar.Grammar;
import java.util.List;

/**
 * One generation: at most {@code maxTokens} new tokens ({@code < 0}: until an end-of-generation token or a full
 * context), the sampler, and stop strings (never part of the output). A {@code picker}, when set, chooses each token
 * instead of the sampler (custom samplers, scripted tests). A {@code grammar}, when set, constrains the output to its
 * sentences: tokens it refuses are never chosen, and generation ends when it is complete (see {@link Grammar}).
 */
public record GenerationOptions(int maxTokens, SamplerParams sampler, List<String> stop, TokenPicker picker, Grammar grammar) {

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
        this(maxTokens, sampler, stop, null, null);
    }

    public GenerationOptions(int maxTokens, SamplerParams sampler, List<String> stop, TokenPicker picker) {
        this(maxTokens, sampler, stop, picker, null);
    }

    public static GenerationOptions defaults() { return new GenerationOptions(-1, SamplerParams.DEFAULT, List.of()); }

    public static GenerationOptions greedy(int maxTokens) { return new GenerationOptions(maxTokens, SamplerParams.GREEDY, List.of()); }

    public GenerationOptions withMaxTokens(int n) { return new GenerationOptions(n, sampler, stop, picker, grammar); }
    public GenerationOptions withSampler(SamplerParams s) { return new GenerationOptions(maxTokens, s, stop, picker, grammar); }
    public GenerationOptions withStop(List<String> s) { return new GenerationOptions(maxTokens, sampler, s, picker, grammar); }
    public GenerationOptions withPicker(TokenPicker p) { return new GenerationOptions(maxTokens, sampler, stop, p, grammar); }
    /** Output constrained to the grammar's sentences ({@code null}: unconstrained). */
    public GenerationOptions withGrammar(Grammar g) { return new GenerationOptions(maxTokens, sampler, stop, picker, g); }
    /** Output constrained to GBNF text (llama.cpp's {@code --grammar}). */
    public GenerationOptions withGrammar(String gbnf) { return withGrammar(Grammar.parse(gbnf)); }
    /** Output constrained to JSON valid under the schema (its JSON text; llama.cpp's {@code --json-schema}). */
    public GenerationOptions withJsonSchema(String schema) { return withGrammar(Grammar.fromJsonSchema(schema)); }
}
