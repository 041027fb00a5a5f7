package dev.shovel.grammar;

import dev.shovel.tokenizer.Tokenizer;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Which tokens a grammar state allows, over one vocabulary: a walk of the token trie in step with the automaton,
 * pruning a whole subtree at the first byte the grammar refuses. Each state's mask is computed once and kept (least
 * recently used dropped first), so a generation that comes back to a state (inside a string, between array items)
 * pays only for applying it (one cache for all grammars, so a server with many schemas stays within its budget). With the mask the walk keeps the few tokens that change how many bytes the sentence
 * still needs (closing quotes, commas that open a member), which is all the end of a token budget asks about. All
 * methods lock the automaton.
 */
final class TokenMasks {
    /** Memory the kept masks of all grammars together may take (a server keeps many grammars). */
    static final long CACHE_BYTES = 256L << 20;
    private static final java.util.concurrent.atomic.AtomicInteger OWNERS = new java.util.concurrent.atomic.AtomicInteger();
    /** Every grammar's masks, least recently used first; a dropped grammar's masks age out. Guarded by itself. */
    private static final Map<Long, Mask> CACHE = new LinkedHashMap<>(256, 0.75f, true);
    private static long cached;

    /** A state's allowed tokens, and those among them after which the sentence needs a different number of bytes. */
    record Mask(long[] bits, int[] changed, int[] distance) {
        long bytes() { return 8L * bits.length + 8L * changed.length + 64; }
    }

    final Pda pda;
    final TokenTrie trie;
    final int vocab, words;
    final int[] eog;
    private final long owner = (long) OWNERS.incrementAndGet() << 32;
    private final int[] stateAt;

    TokenMasks(Pda pda, TokenTrie trie, Tokenizer tok) {
        this.pda = pda;
        this.trie = trie;
        this.vocab = tok.vocabSize();
        this.words = (vocab + 63) >>> 6;
        this.eog = tok.eogTokens();
        this.stateAt = new int[trie.maxDepth + 1];
    }

    /** The mask of state {@code s} (end-of-generation tokens allowed when it accepts). */
    Mask mask(int s) {
        long key = owner | s;
        synchronized (CACHE) {
            Mask m = CACHE.get(key);
            if (m != null) return m;
        }
        Mask m;
        synchronized (pda) {
            m = walk(s);
        }
        synchronized (CACHE) {
            if (CACHE.put(key, m) == null) cached += m.bytes();
            for (var it = CACHE.entrySet().iterator(); cached > CACHE_BYTES && CACHE.size() > 1 && it.hasNext(); ) {
                var e = it.next();
                if (e.getKey() == key) continue;
                cached -= e.getValue().bytes();
                it.remove();
            }
        }
        return m;
    }

    /** The state after token {@code t}'s bytes; {@link Pda#DEAD} if the grammar refuses them. */
    int advance(int s, byte[] bytes) {
        synchronized (pda) {
            for (byte b : bytes) {
                s = pda.next(s, b & 0xFF);
                if (s == Pda.DEAD) break;
            }
            return s;
        }
    }

    private Mask walk(int s) {
        long[] bits = new long[words];
        if (pda.accepting(s)) for (int t : eog) bits[t >>> 6] |= 1L << t;
        int here = pda.distance(s);
        Pda.IntList changed = new Pda.IntList(), distance = new Pda.IntList();
        TokenTrie tr = trie;
        int[] at = stateAt;
        at[0] = s;
        byte[] edge = tr.edge;
        short[] depth = tr.depth;
        int[] end = tr.end, from = tr.tokFrom, toks = tr.toks;
        for (int i = 0, n = tr.nodes; i < n; ) {
            int d = depth[i];
            int ps = at[d - 1];
            int b = edge[i] & 0xFF;
            int ns = pda.row(ps)[b];
            if (ns == Pda.UNKNOWN) ns = pda.next(ps, b);
            if (ns == Pda.DEAD) {
                i = end[i];
                continue;
            }
            at[d] = ns;
            int k0 = from[i], k1 = from[i + 1];
            if (k0 < k1) {
                int dist = pda.distance(ns);
                for (int k = k0; k < k1; k++) {
                    bits[toks[k] >>> 6] |= 1L << toks[k];
                    if (dist != here) {
                        changed.add(toks[k]);
                        distance.add(dist);
                    }
                }
            }
            i++;
        }
        return new Mask(bits, changed.toArray(), distance.toArray());
    }
}
