package dev.shovel.tokenizer;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Byte-level BPE merges (llm_tokenizer_bpe_session). Every string that a merge mentions is interned to an
 * id (vocabulary id, or a private id past the vocabulary for strings that are not tokens), so comparing
 * symbol strings becomes comparing ints and a merge rank is one hash lookup on the id pair. The work queue
 * is a heap of (rank, left position) over a linked list of symbols: O(n log n) in the word length.
 */
final class BpeModel {
    private static final int CACHE_MAX_WORD = 48;
    private static final int CACHE_MAX_SIZE = 1 << 16;

    private final Map<String, Integer> tokenToId;
    private final int nVocab;
    private final Map<String, Integer> extra = new HashMap<>();
    private final LongIntMap pairRank;
    private final int[] mergeResult;
    private final int[] charId = new int[ByteLevel.CHAR_TO_BYTE.length];
    private final int[] asciiToken = new int[128];
    private final ConcurrentHashMap<String, int[]> cache = new ConcurrentHashMap<>();

    BpeModel(Map<String, Integer> tokenToId, int nVocab, String[] merges) {
        this.tokenToId = tokenToId;
        this.nVocab = nVocab;
        this.pairRank = new LongIntMap(merges.length);
        this.mergeResult = new int[merges.length];
        for (int r = 0; r < merges.length; r++) {
            String m = merges[r];
            int sp = m.indexOf(' ', 1);
            if (sp < 0) {
                mergeResult[r] = -1;   // llama.cpp keeps an ("", "") pair that never matches
                continue;
            }
            String a = m.substring(0, sp), b = m.substring(sp + 1);
            int ia = intern(a), ib = intern(b);
            pairRank.putIfAbsent(pair(ia, ib), r);
            mergeResult[r] = intern(a + b);
        }
        for (int c = 0; c < charId.length; c++) charId[c] = lookup(String.valueOf((char) c));
        for (int c = 0; c < 128; c++) {
            Integer id = tokenToId.get(String.valueOf((char) c));
            asciiToken[c] = id == null ? -1 : id;
        }
    }

    private static long pair(int a, int b) { return ((long) a << 32) | (b & 0xFFFFFFFFL); }

    private int intern(String s) {
        Integer id = tokenToId.get(s);
        if (id != null) return id;
        return extra.computeIfAbsent(s, k -> nVocab + extra.size());
    }

    private int lookup(String s) {
        Integer id = tokenToId.get(s);
        if (id != null) return id;
        id = extra.get(s);
        return id == null ? -1 : id;
    }

    int merges() { return pairRank.size(); }

    private int rank(int a, int b) {
        return a < 0 || b < 0 ? -1 : pairRank.get(pair(a, b));
    }

    /** Appends the tokens of one byte-level encoded pre-token. */
    void encodeWord(String word, boolean ignoreMerges, IntList out) {
        if (word.isEmpty()) return;
        if (ignoreMerges) {
            Integer id = tokenToId.get(word);
            if (id != null) {
                out.add(id);
                return;
            }
        }
        boolean cacheable = word.length() <= CACHE_MAX_WORD;
        if (cacheable) {
            int[] hit = cache.get(word);
            if (hit != null) {
                out.addAll(hit);
                return;
            }
        }
        int[] ids = merge(word);
        if (cacheable) {
            if (cache.size() >= CACHE_MAX_SIZE) cache.clear();
            cache.put(word, ids);
        }
        out.addAll(ids);
    }

    private int[] merge(String word) {
        int n = word.length();
        int[] sid = new int[n], start = new int[n], end = new int[n], prev = new int[n], next = new int[n];
        for (int i = 0; i < n; i++) {
            char c = word.charAt(i);
            sid[i] = c < charId.length ? charId[c] : -1;
            start[i] = i;
            end[i] = i + 1;
            prev[i] = i - 1;
            next[i] = i + 1 < n ? i + 1 : -1;
        }
        LongHeap heap = new LongHeap();
        for (int i = 1; i < n; i++) {
            int r = rank(sid[i - 1], sid[i]);
            if (r >= 0) heap.push(((long) r << 32) | (i - 1));
        }
        while (!heap.isEmpty()) {
            long key = heap.pop();
            int r = (int) (key >>> 32);
            int left = (int) key;
            if (start[left] < 0) continue;
            int right = next[left];
            if (right < 0 || rank(sid[left], sid[right]) != r) continue;   // outdated entry
            sid[left] = mergeResult[r];
            end[left] = end[right];
            start[right] = -1;
            next[left] = next[right];
            if (next[right] >= 0) prev[next[right]] = left;
            int p = prev[left];
            if (p >= 0) {
                int rp = rank(sid[p], sid[left]);
                if (rp >= 0) heap.push(((long) rp << 32) | p);
            }
            int q = next[left];
            if (q >= 0) {
                int rq = rank(sid[left], sid[q]);
                if (rq >= 0) heap.push(((long) rq << 32) | left);
            }
        }
        IntList out = new IntList(8);
        for (int i = 0; i >= 0; i = next[i]) {
            if (sid[i] >= 0 && sid[i] < nVocab) {
                out.add(sid[i]);
            } else {
                // not a token: llama.cpp looks up each byte of the symbol's text as a one-byte token
                for (int k = start[i]; k < end[i]; k++) {
                    char c = word.charAt(k);
                    if (c < 128 && asciiToken[c] >= 0) out.add(asciiToken[c]);
                }
            }
        }
        return out.toArray();
    }
}
