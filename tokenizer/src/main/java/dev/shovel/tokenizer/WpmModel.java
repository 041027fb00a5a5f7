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
    private final Map<String, Integer> tokenToId;
    private final int maxTokenLen;
    private final int unk;
    private final boolean lowercase;
    private final boolean stripAccents;

    WpmModel(Map<String, Integer> tokenToId, int maxTokenLen, int unk, boolean lowercase, boolean stripAccents) {
        this.tokenToId = tokenToId;
        this.maxTokenLen = maxTokenLen;
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
            for (int i = 0; i < n; i++) {
                boolean match = false;
                for (int j = Math.min(n, i + maxTokenLen + 1); j > i; j--) {
                    Integer id = tokenToId.get(w.substring(i, j));
                    if (id != null) {
                        out.add(id);
                        match = true;
                        i = j - 1;
                        break;
                    }
                }
                if (!match) {
                    failed = true;
                    break;
                }
            }
            if (failed || out.size() == mark) {
                out.truncate(mark);
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
