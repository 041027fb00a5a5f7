package dev.shovel.gen;

import dev.shovel.ShovelException;

/**
 * Sampling settings with llama.cpp's defaults. {@code temperature <= 0} is greedy; {@code topK <= 0}, {@code topP >= 1},
 * {@code minP <= 0} and {@code repeatPenalty == 1} switch those stages off. {@code seed < 0} picks a random seed.
 */
public record SamplerParams(float temperature, int topK, float topP, float minP, float repeatPenalty, int repeatLastN,
                            long seed) {

    public static final SamplerParams DEFAULT = new SamplerParams(0.8f, 40, 0.95f, 0.05f, 1.0f, 64, -1);
    public static final SamplerParams GREEDY = new SamplerParams(0f, 40, 0.95f, 0.05f, 1.0f, 64, -1);

    public SamplerParams {
        if (Float.isNaN(temperature) || temperature < 0) throw new ShovelException("temperature must be >= 0, got " + temperature);
        if (Float.isNaN(topP) || topP < 0 || topP > 1) throw new ShovelException("top-p must be in [0, 1], got " + topP);
        if (Float.isNaN(minP) || minP < 0 || minP > 1) throw new ShovelException("min-p must be in [0, 1], got " + minP);
        if (Float.isNaN(repeatPenalty) || repeatPenalty <= 0) throw new ShovelException("repeat penalty must be > 0, got " + repeatPenalty);
        if (repeatLastN < -1) throw new ShovelException("repeat-last-n must be >= -1, got " + repeatLastN);
    }

    public SamplerParams withTemperature(float t) { return new SamplerParams(t, topK, topP, minP, repeatPenalty, repeatLastN, seed); }
    public SamplerParams withTopK(int k) { return new SamplerParams(temperature, k, topP, minP, repeatPenalty, repeatLastN, seed); }
    public SamplerParams withTopP(float p) { return new SamplerParams(temperature, topK, p, minP, repeatPenalty, repeatLastN, seed); }
    public SamplerParams withMinP(float p) { return new SamplerParams(temperature, topK, topP, p, repeatPenalty, repeatLastN, seed); }
    public SamplerParams withRepeatPenalty(float r) { return new SamplerParams(temperature, topK, topP, minP, r, repeatLastN, seed); }
    public SamplerParams withSeed(long s) { return new SamplerParams(temperature, topK, topP, minP, repeatPenalty, repeatLastN, s); }
}
