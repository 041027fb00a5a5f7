package dev.shovel.engine;

import dev.shovel.ShovelException;

/**
 * How an {@link Engine} schedules: {@code slots} requests run at once (llama-server's {@code -np}); their KV cells are
 * one pool of {@code ctxSize} cells ({@code <= 0}: the model's context size), so one request may use all of it when
 * the others leave room; a step takes at most {@code batchSize} tokens ({@code <= 0}: the model's batch size), one per
 * decoding request plus chunks of pending prompts; at most {@code queueSize} requests wait for a slot.
 * {@code chatTemplate} is Jinja source for chat requests (null: the model's template, or ChatML).
 */
public record EngineOptions(int slots, int ctxSize, int batchSize, int queueSize, String chatTemplate) {

    public EngineOptions {
        if (slots < 1) throw new ShovelException("slots (--parallel) must be at least 1, got " + slots);
        if (queueSize < 0) throw new ShovelException("queue size must be >= 0, got " + queueSize);
    }

    public static EngineOptions defaults() { return new EngineOptions(4, 0, 0, 256, null); }

    public EngineOptions withSlots(int n) { return new EngineOptions(n, ctxSize, batchSize, queueSize, chatTemplate); }
    public EngineOptions withCtxSize(int n) { return new EngineOptions(slots, n, batchSize, queueSize, chatTemplate); }
    public EngineOptions withBatchSize(int n) { return new EngineOptions(slots, ctxSize, n, queueSize, chatTemplate); }
    public EngineOptions withQueueSize(int n) { return new EngineOptions(slots, ctxSize, batchSize, n, chatTemplate); }
    public EngineOptions withChatTemplate(String t) { return new EngineOptions(slots, ctxSize, batchSize, queueSize, t); }
}
