package dev.shovel.engine;

import dev.shovel.ShovelException;
import dev.shovel.api.GenerationOptions;

/**
 * One generation for the {@link Engine}: the prompt's token ids, how to generate (max tokens, sampler with its seed,
 * stop strings), and {@code logprobs}: -1 for none, 0 for the chosen token's log-probability, N for that plus the N
 * most likely tokens at each step.
 */
public record Request(int[] prompt, GenerationOptions options, int logprobs) {

    public Request {
        if (prompt == null || prompt.length == 0) throw new ShovelException("the prompt is empty");
        prompt = prompt.clone();
        if (options == null) options = GenerationOptions.defaults();
        if (logprobs < -1) throw new ShovelException("logprobs must be >= -1, got " + logprobs);
    }

    public Request(int[] prompt, GenerationOptions options) { this(prompt, options, -1); }
}
