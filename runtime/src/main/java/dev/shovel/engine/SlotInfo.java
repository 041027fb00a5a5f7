package dev.shovel.engine;

/**
 * One slot as the engine last saw it: busy or idle, the tokens its sequence holds in the KV cache (kept while idle, for
 * the next request with the same prefix), and for a running request its prompt size and tokens generated so far.
 */
public record SlotInfo(int id, boolean processing, int cachedTokens, int promptTokens, int generatedTokens) {}
