package dev.shovel.cli;

import dev.shovel.api.GenerationOptions;
import dev.shovel.gen.SamplerParams;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** Sampling and stopping options shared by the commands that generate, named as in llama.cpp. */
public final class SamplingOptionsMixin {
    @Option(names = {"-n", "--max-tokens", "--n-predict"}, paramLabel = "N", description = "tokens to generate, -1 = until the end (default: ${DEFAULT-VALUE})", defaultValue = "-1")
    int maxTokens;

    @Option(names = {"--temperature", "--temp"}, paramLabel = "T", description = "0 = greedy (default: ${DEFAULT-VALUE})", defaultValue = "0.8")
    float temperature;

    @Option(names = "--top-k", paramLabel = "K", description = "0 = off (default: ${DEFAULT-VALUE})", defaultValue = "40")
    int topK;

    @Option(names = "--top-p", paramLabel = "P", description = "1.0 = off (default: ${DEFAULT-VALUE})", defaultValue = "0.95")
    float topP;

    @Option(names = "--min-p", paramLabel = "P", description = "0.0 = off (default: ${DEFAULT-VALUE})", defaultValue = "0.05")
    float minP;

    @Option(names = "--repeat-penalty", paramLabel = "R", description = "1.0 = off (default: ${DEFAULT-VALUE})", defaultValue = "1.0")
    float repeatPenalty;

    @Option(names = "--repeat-last-n", paramLabel = "N", description = "tokens the penalty looks back at, -1 = all (default: ${DEFAULT-VALUE})", defaultValue = "64")
    int repeatLastN;

    @Option(names = {"-s", "--seed"}, paramLabel = "N", description = "random seed, -1 = random (default: ${DEFAULT-VALUE})", defaultValue = "-1")
    long seed;

    @Option(names = "--stop", paramLabel = "TEXT", description = "stop at this text (repeatable); it is not printed")
    List<String> stop = new ArrayList<>();

    SamplerParams sampler() {
        return new SamplerParams(temperature, topK, topP, minP, repeatPenalty, repeatLastN, seed);
    }

    GenerationOptions options() {
        return new GenerationOptions(maxTokens, sampler(), stop);
    }
}
