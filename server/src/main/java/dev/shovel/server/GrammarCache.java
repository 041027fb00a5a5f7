package dev.shovel.server;

import dev.shovel.grammar.Grammar;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * Compiled grammars by their canonical text (GBNF as sent, a schema as compact JSON), least recently used dropped
 * first. A {@link Grammar} keeps its automaton and token masks, so a request that repeats a schema pays for them once.
 * Compiling happens outside the lock; two requests racing with the same new text may both compile it.
 */
final class GrammarCache {
    /** An automaton may grow to ~60 MB (50 000 states) under hostile grammars: 16 kept bound that to ~1 GB. */
    static final int DEFAULT_ENTRIES = 16;

    private final int capacity;
    private final LinkedHashMap<String, Grammar> map;
    private long hits, misses;

    GrammarCache(int capacity) {
        this.capacity = capacity;
        this.map = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Grammar> e) { return size() > GrammarCache.this.capacity; }
        };
    }

    /** The grammar cached under {@code key}, else {@code compile.apply(text)}, cached (a compile error is not). */
    Grammar get(String key, String text, Function<String, Grammar> compile) {
        synchronized (this) {
            Grammar g = map.get(key);
            if (g != null) {
                hits++;
                return g;
            }
            misses++;
        }
        Grammar g = compile.apply(text);
        synchronized (this) {
            Grammar raced = map.putIfAbsent(key, g);
            return raced != null ? raced : g;
        }
    }

    synchronized int size() { return map.size(); }

    synchronized long hits() { return hits; }

    synchronized long misses() { return misses; }
}
