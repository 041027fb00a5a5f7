package dev.shovel.tokenizer;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * WordPiece as llama.cpp does it (llm_tokenizer_wpm_session): BERT-style normalization and splitting into
 * words, then greedy longest-match of "▁" + word against the vocabulary (continuation pieces are stored
 * without "##"); a word with an unmatched position becomes the unknown token.
 */
final class WpmModel {
    /** Character trie of the tokens: edge (node << 16 | char) to child node; root is node 0. */
    private final LongIntMap edges;
    /** Token id ending at each node, or -1. */
    private final int[] tokenAt;
    private final int unk;
    private final boolean lowercase;
    private final boolean stripAccents;

    WpmModel(Map<String, Integer> tokenToId, int unk, boolean lowercase, boolean stripAccents) {
        long chars = 0;
        for (String t : tokenToId.keySet()) chars += t.length();
        int cap = (int) Math.min(chars + 1, Integer.MAX_VALUE - 8);
        this.edges = new LongIntMap(cap);
        IntList at = new IntList(cap);
        at.add(-1);
        for (Map.Entry<String, Integer> e : tokenToId.entrySet()) {
            String t = e.getKey();
            int node = 0;
            for (int i = 0; i < t.length(); i++) {
                long key = ((long) node << 16) | t.charAt(i);
                int child = edges.get(key);
                if (child < 0) {
                    child = at.size();
                    edges.putIfAbsent(key, child);
                    at.add(-1);
                }
                node = child;
            }
            at.set(node, e.getValue());
        }
        this.tokenAt = at.toArray();
        this.unk = unk;
        this.lowercase = lowercase;
        this.stripAccents = stripAccents;
    }

    void encode(String text, IntList out) {
        for (String word : preprocess(text)) {
            if (word.isEmpty()) continue;
            String w = "\u2581" + word;
            int n = w.length();
            int mark = out.size();
            boolean failed = false;
            // greedy longest match at each position (llama.cpp tries every length down from the longest token;
            // the trie finds the same token in one walk, so a hostile vocabulary cannot make this quadratic)
            for (int i = 0; i < n; ) {
                int node = 0, best = -1, bestEnd = i;
                for (int j = i; j < n; j++) {
                    node = edges.get(((long) node << 16) | w.charAt(j));
                    if (node < 0) break;
                    if (tokenAt[node] >= 0) {
                        best = tokenAt[node];
                        bestEnd = j + 1;
                    }
                }
                if (best < 0) {
                    failed = true;
                    break;
                }
                out.add(best);
                i = bestEnd;
            }
            if (failed || out.size() == mark) {
                out.truncate(mark);
                if (unk < 0) throw new TokenizerException("vocabulary has no unknown token for a word it cannot split");
                out.add(unk);
            }
        }
    }

    /** Lowercase / strip accents, drop controls, split on whitespace, punctuation and CJK characters. */
    List<String> preprocess(String text) {
        List<String> words = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            i += Character.charCount(cp);
            if (stripAccents) cp = Unicode.nfdFirst(cp);
            int f = Unicode.flags(cp);
            if ((f & Unicode.WHITESPACE) != 0) {
                if (!cur.isEmpty()) {
                    words.add(cur.toString());
                    cur.setLength(0);
                }
                continue;
            }
            if (cp == 0 || cp == 0xFFFD || (f & Unicode.CONTROL) != 0) continue;
            if (stripAccents && (f & Unicode.ACCENT_MARK) != 0) continue;
            int c = lowercase ? Unicode.toLower(cp) : cp;
            if ((f & Unicode.PUNCTUATION) != 0 || (cp < 0x7F && (f & Unicode.SYMBOL) != 0) || isChinese(cp)) {
                if (!cur.isEmpty()) {
                    words.add(cur.toString());
                    cur.setLength(0);
                }
                words.add(Character.toString(c));
            } else {
                cur.appendCodePoint(c);
            }
        }
        if (!cur.isEmpty()) words.add(cur.toString());
        return words;
    }

    static boolean isChinese(int cp) {
        return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF)
            || (cp >= 0x20000 && cp <= 0x2A6DF) || (cp >= 0x2A700 && cp <= 0x2B73F)
            || (cp >= 0x2B740 && cp <= 0x2B81F) || (cp >= 0x2B920 && cp <= 0x2CEAF)
            || (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0x2F800 && cp <= 0x2FA1F);
    }
}
