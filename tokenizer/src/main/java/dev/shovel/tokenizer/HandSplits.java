package dev.shovel.tokenizer;

/**
 * The two pre-tokenizer regexes llama.cpp implements by hand instead of with std::regex, reproduced step by
 * step (including their small departures from the regex text).
 */
final class HandSplits {
    /** GPT-2: 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+ */
    static final SplitStep GPT2 = (text, lengths) -> split(text, lengths, false);

    /**
     * Llama 3: (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|
     * \s*[\r\n]+|\s+(?!\S)|\s+
     */
    static final SplitStep LLAMA3 = (text, lengths) -> split(text, lengths, true);

    private static final int W = Unicode.WHITESPACE, L = Unicode.LETTER, N = Unicode.NUMBER;

    private HandSplits() {}

    private static IntList split(SplitText t, IntList lengths, boolean llama3) {
        IntList out = new IntList(lengths.size() * 4 + 4);
        int start = 0;
        for (int s = 0; s < lengths.size(); s++) {
            int ini = start, end = start + lengths.get(s);
            start = end;
            int prev = ini;
            int pos = ini;
            while (pos < end) {
                int next = llama3 ? llama3Token(t, pos, ini, end) : gpt2Token(t, pos, ini, end);
                if (next > prev) out.add(next - prev);
                prev = next;
                pos = next;
            }
        }
        return out;
    }

    /** End of the GPT-2 pre-token starting at pos. */
    private static int gpt2Token(SplitText t, int pos, int ini, int end) {
        int cp = t.cpAt(pos, ini, end);
        int flags = t.flagsAt(pos, ini, end);
        if (cp == '\'' && pos + 1 < end) {
            int c1 = t.cpAt(pos + 1, ini, end);
            if (c1 == 's' || c1 == 't' || c1 == 'm' || c1 == 'd') return pos + 2;
            if (pos + 2 < end) {
                int c2 = t.cpAt(pos + 2, ini, end);
                if ((c1 == 'r' && c2 == 'e') || (c1 == 'v' && c2 == 'e') || (c1 == 'l' && c2 == 'l')) return pos + 3;
            }
        }
        int f2 = cp == ' ' ? t.flagsAt(pos + 1, ini, end) : flags;
        if ((f2 & L) != 0) {
            if (cp == ' ') pos++;
            while ((t.flagsAt(pos, ini, end) & L) != 0) pos++;
            return pos;
        }
        if ((f2 & N) != 0) {
            if (cp == ' ') pos++;
            while ((t.flagsAt(pos, ini, end) & N) != 0) pos++;
            return pos;
        }
        if ((f2 & (W | L | N)) == 0 && f2 != 0) {
            if (cp == ' ') pos++;
            int f;
            while (((f = t.flagsAt(pos, ini, end)) & (W | L | N)) == 0 && f != 0) pos++;
            return pos;
        }
        int nws = 0;
        while ((t.flagsAt(pos + nws, ini, end) & W) != 0) nws++;
        if (nws > 1 && pos + nws < end) return pos + nws - 1;   // \s+(?!\S)
        if (nws > 0) return pos + nws;                          // \s+
        return pos + 1;
    }

    /** End of the Llama 3 pre-token starting at pos. */
    private static int llama3Token(SplitText t, int pos, int ini, int end) {
        int cp = t.cpAt(pos, ini, end);
        int flags = t.flagsAt(pos, ini, end);
        if (cp == '\'' && pos + 1 < end) {
            int c1 = Unicode.toLower(t.cpAt(pos + 1, ini, end));
            if (c1 == 's' || c1 == 't' || c1 == 'm' || c1 == 'd') return pos + 2;
            if (pos + 2 < end) {
                int c2 = Unicode.toLower(t.cpAt(pos + 2, ini, end));
                if ((c1 == 'r' && c2 == 'e') || (c1 == 'v' && c2 == 'e') || (c1 == 'l' && c2 == 'l')) return pos + 3;
            }
        }
        // [^\r\n\p{L}\p{N}]?\p{L}+
        if (!(cp == '\r' || cp == '\n' || (flags & N) != 0)) {
            if ((flags & L) != 0 || (t.flagsAt(pos + 1, ini, end) & L) != 0) {
                pos++;
                while ((t.flagsAt(pos, ini, end) & L) != 0) pos++;
                return pos;
            }
        }
        // \p{N}{1,3}
        if ((flags & N) != 0) {
            int p = pos;
            while ((t.flagsAt(p, ini, end) & N) != 0 && p - pos < 3) p++;
            return p;
        }
        //  ?[^\s\p{L}\p{N}]+[\r\n]*   (llama.cpp tests the first char's flags, not the optional space's successor)
        int f2 = cp == ' ' ? t.flagsAt(pos + 1, ini, end) : flags;
        if ((f2 & (W | L | N)) == 0 && flags != 0) {
            if (cp == ' ') pos++;
            while ((f2 & (W | L | N)) == 0 && f2 != 0) f2 = t.flagsAt(++pos, ini, end);
            int c2 = t.cpAt(pos, ini, end);
            while (c2 == '\r' || c2 == '\n') c2 = t.cpAt(++pos, ini, end);
            return pos;
        }
        int nws = 0, lastRn = 0;
        while ((t.flagsAt(pos + nws, ini, end) & W) != 0) {
            int c2 = t.cpAt(pos + nws, ini, end);
            if (c2 == '\r' || c2 == '\n') lastRn = pos + nws + 1;
            nws++;
        }
        if (lastRn > 0) return lastRn;                          // \s*[\r\n]+
        if (nws > 1 && pos + nws < end) return pos + nws - 1;   // \s+(?!\S)
        if (nws > 0) return pos + nws;                          // \s+
        return pos + 1;
    }
}
