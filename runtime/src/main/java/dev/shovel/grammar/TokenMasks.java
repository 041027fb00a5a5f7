package dev.shovel.grammar;

import dev.shovel.tokenizer.Tokenizer;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Which tokens a grammar state allows, over one vocabulary: a walk of the token trie in step with the automaton,
 * pruning a whole subtree at the first byte the grammar refuses. Each state's mask is computed once and kept (least
 * recently used dropped first), so a generation that comes back to a state (inside a string, between array items)
 * pays only for applying it. All methods lock the automaton.
 */
final class TokenMasks {
    /** Memory the kept masks may take. */
    static final long CACHE_BYTES = 64L << 20;

    final Pda pda;
    final TokenTrie trie;
    final int vocab, words;
    final int[] eog;
    private final Map<Integer, long[]> cache;
    private int[] stateAt;

    TokenMasks(Pda pda, TokenTrie trie, Tokenizer tok) {
        this.pda = pda;
        this.trie = trie;
        this.vocab = tok.vocabSize();
        this.words = (vocab + 63) >>> 6;
        this.eog = tok.eogTokens();
        this.stateAt = new int[trie.maxDepth + 1];
        int keep = (int) Math.max(16, CACHE_BYTES / (8L * words + 64));
        this.cache = new LinkedHashMap<>(64, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Integer, long[]> e) { return size() > keep; }
        };
    }

    /** The tokens allowed in state {@code s} (end-of-generation tokens when it accepts), as a bit set. */
    long[] allowed(int s) {
        synchronized (pda) {
            long[] m = cache.get(s);
            if (m == null) {
                m = walk(s, false);
                cache.put(s, m);
            }
            return m;
        }
    }

    /**
     * The allowed tokens that bring a sentence closest to its end (fewest bytes left after them); only the
     * end-of-generation tokens when the state already accepts. For the last tokens of a budget.
     */
    long[] closing(int s) {
        synchronized (pda) {
            return walk(s, true);
        }
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

    private long[] walk(int s, boolean closest) {
        long[] bits = new long[words];
        boolean accepts = pda.accepting(s);
        if (accepts) for (int t : eog) bits[t >>> 6] |= 1L << t;
        if (closest && accepts) return bits;
        TokenTrie tr = trie;
        int[] at = stateAt;
        at[0] = s;
        int best = Integer.MAX_VALUE;
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
                if (closest) {
                    int dist = pda.distance(ns);
                    if (dist < best) {
                        best = dist;
                        java.util.Arrays.fill(bits, 0L);
                    }
                    if (dist > best) k1 = k0;
                }
                for (int k = k0; k < k1; k++) bits[toks[k] >>> 6] |= 1L << toks[k];
            }
            i++;
        }
        return bits;
    }
}
