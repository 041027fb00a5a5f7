package dev.shovel.engine;

/**
 * An engine's load and totals since it started: busy slots and waiting requests now; finished requests, prompt tokens
 * processed (cached ones not counted) and generated tokens, with the time each took (summed over requests), and how
 * often a request stepped back into the queue because the shared KV cells ran out.
 */
public record EngineStats(int busySlots, int queued, long requests, long promptTokens, long promptNanos,
                          long generatedTokens, long genNanos, long preemptions) {}
