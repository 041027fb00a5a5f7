package dev.shovel.grammar;

import dev.shovel.tokenizer.Tokenizer;
import java.util.Arrays;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * The vocabulary's token bytes as a trie, stored in preorder: node {@code i} has the byte {@code edge[i]} at depth
 * {@code depth[i]} (1 for a first byte), its subtree ends before {@code end[i]}, and the tokens spelled by the path to
 * it are {@code toks[tokFrom[i] .. tokFrom[i+1])}. A walk over the nodes in order that skips to {@code end[i]} when a
 * byte is refused visits each prefix once. Control tokens and tokens without bytes are left out.
 */
final class TokenTrie {
    private static final Map<Tokenizer, TokenTrie> CACHE = new WeakHashMap<>();

    final byte[] edge;
    final short[] depth;
    final int[] end, tokFrom, toks;
    final int nodes, maxDepth, vocab;

    private TokenTrie(byte[][] pieces) {
        vocab = pieces.length;
        Integer[] order = new Integer[pieces.length];
        int m = 0;
        long bytes = 0;
        for (int i = 0; i < pieces.length; i++) {
            if (pieces[i].length > 0 && pieces[i].length < Short.MAX_VALUE) {
                order[m++] = i;
                bytes += pieces[i].length;
            }
        }
        Integer[] ids = Arrays.copyOf(order, m);
        Arrays.sort(ids, (a, b) -> Arrays.compareUnsigned(pieces[a], pieces[b]));
        int cap = (int) Math.min(bytes, Integer.MAX_VALUE - 16);
        byte[] e = new byte[cap];
        short[] d = new short[cap];
        int[] en = new int[cap], tf = new int[cap + 1];
        int[] t = new int[m];
        int[] path = new int[1];
        int n = 0, nt = 0, deepest = 0;
        byte[] prev = new byte[0];
        for (int id : ids) {
            byte[] p = pieces[id];
            int lcp = 0;
            while (lcp < p.length && lcp < prev.length && p[lcp] == prev[lcp]) lcp++;
            for (int k = prev.length; k > lcp; k--) en[path[k]] = n; // close the nodes left behind
            if (path.length <= p.length) path = Arrays.copyOf(path, Math.max(p.length + 1, 2 * path.length));
            for (int k = lcp; k < p.length; k++) {
                e[n] = p[k];
                d[n] = (short) (k + 1);
                tf[n] = nt;
                path[k + 1] = n++;
            }
            t[nt++] = id; // a node's tokens come right after it is made, before its children
            deepest = Math.max(deepest, p.length);
            prev = p;
        }
        for (int k = prev.length; k > 0; k--) en[path[k]] = n;
        tf[n] = nt;
        // tokens are stored between node starts: node i owns toks[tokFrom[i] .. tokFrom[i+1])
        nodes = n;
        edge = Arrays.copyOf(e, n);
        depth = Arrays.copyOf(d, n);
        end = Arrays.copyOf(en, n);
        tokFrom = Arrays.copyOf(tf, n + 1);
        toks = t;
        maxDepth = deepest;
    }

    static TokenTrie of(Tokenizer tok) {
        synchronized (CACHE) {
            return CACHE.computeIfAbsent(tok, t -> {
                byte[][] pieces = new byte[t.vocabSize()][];
                for (int i = 0; i < pieces.length; i++) pieces[i] = t.tokenBytes(i, false);
                return new TokenTrie(pieces);
            });
        }
    }

    static TokenTrie of(byte[][] pieces) { return new TokenTrie(pieces); }
}
