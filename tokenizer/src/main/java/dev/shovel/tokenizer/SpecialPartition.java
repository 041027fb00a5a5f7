package dev.shovel.tokenizer;

import java.util.BitSet;

/**
 * tokenizer_st_partition: cuts the text at special-token texts, longest token first, each token over all
 * remaining text fragments left to right. Control and unknown tokens count only when parsing specials;
 * user-defined ones always. LSTRIP/RSTRIP tokens swallow the whitespace beside them.
 * The result is a flat list of (token, offset, length) triples; token = -1 marks raw text.
 */
final class SpecialPartition {
    private SpecialPartition() {}

    static IntList partition(Vocab v, String text, boolean parseSpecial) {
        IntList frags = new IntList(3);
        if (text.isEmpty()) return frags;
        frags.add(-1);
        frags.add(0);
        frags.add(text.length());
        BitSet present = v.specialTrie.occurring(text);
        if (present.isEmpty()) return frags;
        for (int id : v.specialCache) {
            if (!present.get(id)) continue;
            if (!parseSpecial && v.has(TokenAttr.CONTROL | TokenAttr.UNKNOWN, id)) continue;
            frags = split(frags, text, v.text[id], id, v.attr[id]);
        }
        return frags;
    }

    private static IntList split(IntList frags, String text, String tok, int id, int attr) {
        IntList out = new IntList(frags.size() + 6);
        boolean lstrip = (attr & TokenAttr.LSTRIP) != 0, rstrip = (attr & TokenAttr.RSTRIP) != 0;
        int next = -2;   // next occurrence at or after the current fragment (fragments ascend), -1 = none
        for (int f = 0; f < frags.size(); f += 3) {
            int t = frags.get(f), off = frags.get(f + 1), len = frags.get(f + 2);
            if (t >= 0) {
                out.add(t); out.add(off); out.add(len);
                continue;
            }
            int pos = off, end = off + len;
            while (true) {
                if (next != -1 && next < pos) next = text.indexOf(tok, pos);
                int m = next;
                if (m < 0 || m + tok.length() > end) break;
                int leftLen = m - pos;
                if (lstrip) while (leftLen > 0 && Unicode.isCSpace(text.charAt(pos + leftLen - 1))) leftLen--;
                if (leftLen > 0) {
                    out.add(-1); out.add(pos); out.add(leftLen);
                }
                out.add(id); out.add(0); out.add(0);
                pos = m + tok.length();
                if (rstrip) while (pos < end && Unicode.isCSpace(text.charAt(pos))) pos++;
            }
            if (pos < end) {
                out.add(-1); out.add(pos); out.add(end - pos);
            }
        }
        return out;
    }
}
