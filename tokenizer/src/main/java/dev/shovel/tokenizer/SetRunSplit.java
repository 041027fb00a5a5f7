package dev.shovel.tokenizer;

import java.util.BitSet;

/**
 * Fast path for wide-text regexes of the form {@code [set]+} or {@code \s?[set]+} where the set is a plain list
 * of characters and ranges (DeepSeek's long letter and CJK classes): same matches as the regex, with a bit set
 * lookup instead of java.util.regex testing each range in turn.
 */
final class SetRunSplit implements SplitStep {
    private final String source;
    private final boolean optionalSpace;
    private final BitSet set;

    private SetRunSplit(String source, boolean optionalSpace, BitSet set) {
        this.source = source;
        this.optionalSpace = optionalSpace;
        this.set = set;
    }

    /** The fast form of regex, or null if regex does not have that shape. */
    static SetRunSplit of(String regex) {
        boolean space = regex.startsWith("\\s?");
        String r = space ? regex.substring(3) : regex;
        if (r.length() < 4 || r.charAt(0) != '[' || r.charAt(1) == '^' || !r.endsWith("]+")) return null;
        BitSet set = parseSet(r.substring(1, r.length() - 2));
        return set == null ? null : new SetRunSplit(regex, space, set);
    }

    /** Characters and ranges; escapes allowed: \x{hex} and a backslash before a non-letter. Else null. */
    private static BitSet parseSet(String body) {
        int[] cps = new int[body.length()];
        int n = 0;
        for (int i = 0; i < body.length(); ) {
            int c = body.codePointAt(i);
            if (c == '\\') {
                if (i + 1 >= body.length()) return null;
                char e = body.charAt(i + 1);
                if (e == 'x' && i + 2 < body.length() && body.charAt(i + 2) == '{') {
                    int close = body.indexOf('}', i + 3);
                    if (close < 0) return null;
                    cps[n++] = Integer.parseInt(body.substring(i + 3, close), 16);
                    i = close + 1;
                    continue;
                }
                if (Character.isLetterOrDigit(e)) return null;   // \s, \d, \p{..}: not a plain set
                cps[n++] = e;
                i += 2;
                continue;
            }
            if (c == '[' || c == ']' || c == '&') return null;
            if (c == '-') cps[n++] = -1;                           // range marker
            else cps[n++] = c;
            i += Character.charCount(c);
        }
        BitSet set = new BitSet();
        for (int i = 0; i < n; i++) {
            if (cps[i] == -1) return null;
            if (i + 2 < n && cps[i + 1] == -1 && cps[i + 2] != -1) {
                if (cps[i] > cps[i + 2]) return null;
                set.set(cps[i], cps[i + 2] + 1);
                i += 2;
            } else {
                set.set(cps[i]);
            }
        }
        return set;
    }

    /** The code point as the regex sees it in the wide text: non-ASCII whitespace is U+000B there. */
    private static int wide(int cp) {
        return cp > 0x7F && Unicode.isWhitespace(cp) ? 0x0B : cp;
    }

    /** Java/ECMAScript \s (ASCII only). */
    private static boolean isSpace(int c) {
        return c == ' ' || (c >= '\t' && c <= '\r');
    }

    private boolean in(int[] cps, int i) { return set.get(wide(cps[i])); }

    @Override
    public IntList apply(SplitText text, IntList lengths) {
        int[] cps = text.cps;
        IntList out = new IntList(lengths.size() * 4 + 4);
        int start = 0;
        for (int k = 0; k < lengths.size(); k++) {
            int end = start + lengths.get(k);
            int last = start;
            int p = start;
            while (p < end) {
                int q;   // the run of set characters starts here
                if (optionalSpace && isSpace(wide(cps[p])) && p + 1 < end && in(cps, p + 1)) q = p + 1;
                else if (in(cps, p)) q = p;
                else {
                    p++;
                    continue;
                }
                while (q < end && in(cps, q)) q++;
                if (p > last) out.add(p - last);
                out.add(q - p);
                last = q;
                p = q;
            }
            if (last < end) out.add(end - last);
            start = end;
        }
        return out;
    }

    @Override
    public String toString() { return source; }
}
