package dev.shovel.gen;

import dev.shovel.ShovelException;
import java.util.Map;

/**
 * Sampling settings with llama.cpp's defaults. {@code temperature <= 0} is greedy; {@code topK <= 0}, {@code topP >= 1},
 * {@code minP <= 0} and {@code repeatPenalty == 1} switch those stages off. {@code seed < 0} picks a random seed.
 * {@code presencePenalty} and {@code frequencyPenalty} (OpenAI's, 0 = off) subtract from the logit of each token seen
 * in the last {@code repeatLastN} tokens, once and per occurrence; {@code logitBias} adds to the logits of token ids.
 */
public record SamplerParams(float temperature, int topK, float topP, float minP, float repeatPenalty, int repeatLastN,
                            long seed, float presencePenalty, float frequencyPenalty, Map<Integer, Float> logitBias) {

    public static final SamplerParams DEFAULT = new SamplerParams(0.8f, 40, 0.95f, 0.05f, 1.0f, 64, -1);
    public static final SamplerParams GREEDY = new SamplerParams(0f, 40, 0.95f, 0.05f, 1.0f, 64, -1);

    public SamplerParams {
        if (Float.isNaN(temperature) || temperature < 0) throw new ShovelException("temperature must be >= 0, got " + temperature);
        if (Float.isNaN(topP) || topP < 0 || topP > 1) throw new ShovelException("top-p must be in [0, 1], got " + topP);
        if (Float.isNaN(minP) || minP < 0 || minP > 1) throw new ShovelException("min-p must be in [0, 1], got " + minP);
        if (Float.isNaN(repeatPenalty) || repeatPenalty <= 0) throw new ShovelException("repeat penalty must be > 0, got " + repeatPenalty);
        if (repeatLastN < -1) throw new ShovelException("repeat-last-n must be >= -1, got " + repeatLastN);
        if (!Float.isFinite(presencePenalty)) throw new ShovelException("presence penalty must be a number, got " + presencePenalty);
        if (!Float.isFinite(frequencyPenalty)) throw new ShovelException("frequency penalty must be a number, got " + frequencyPenalty);
        logitBias = logitBias == null ? Map.of() : Map.copyOf(logitBias);
    }

    public SamplerParams(float temperature, int topK, float topP, float minP, float repeatPenalty, int repeatLastN, long seed) {
        this(temperature, topK, topP, minP, repeatPenalty, repeatLastN, seed, 0f, 0f, Map.of());
    }

    public SamplerParams withTemperature(float t) { return new SamplerParams(t, topK, topP, minP, repeatPenalty, repeatLastN, seed, presencePenalty, frequencyPenalty, logitBias); }
    public SamplerParams withTopK(int k) { return new SamplerParams(temperature, k, topP, minP, repeatPenalty, repeatLastN, seed, presencePenalty, frequencyPenalty, logitBias); }
    public SamplerParams withTopP(float p) { return new SamplerParams(temperature, topK, p, minP, repeatPenalty, repeatLastN, seed, presencePenalty, frequencyPenalty, logitBias); }
    public SamplerParams withMinP(float p) { return new SamplerParams(temperature, topK, topP, p, repeatPenalty, repeatLastN, seed, presencePenalty, frequencyPenalty, logitBias); }
    public SamplerParams withRepeatPenalty(float r) { return new SamplerParams(temperature, topK, topP, minP, r, repeatLastN, seed, presencePenalty, frequencyPenalty, logitBias); }
    public SamplerParams withRepeatLastN(int n) { return new SamplerParams(temperature, topK, topP, minP, repeatPenalty, n, seed, presencePenalty, frequencyPenalty, logitBias); }
    public SamplerParams withSeed(long s) { return new SamplerParams(temperature, topK, topP, minP, repeatPenalty, repeatLastN, s, presencePenalty, frequencyPenalty, logitBias); }
    public SamplerParams withPresencePenalty(float p) { return new SamplerParams(temperature, topK, topP, minP, repeatPenalty, repeatLastN, seed, p, frequencyPenalty, logitBias); }
    public SamplerParams withFrequencyPenalty(float f) { return new SamplerParams(temperature, topK, topP, minP, repeatPenalty, repeatLastN, seed, presencePenalty, f, logitBias); }
    public SamplerParams withLogitBias(Map<Integer, Float> b) { return new SamplerParams(temperature, topK, topP, minP, repeatPenalty, repeatLastN, seed, presencePenalty, frequencyPenalty, b); }
}
