package dev.shovel.grammar;

import java.util.ArrayList;
import java.util.List;

/**
 * GBNF for the decimal integers in a range: no leading zeros, no {@code -0}. Unbounded sides stop at 16 digits, as
 * the plain integer rule does. The range is split by digit count, and each same-length range by its first differing
 * digit, so the grammar is exact and unambiguous.
 */
final class IntRanges {
    static final int MAX_DIGITS = 16;
    private static final long UNBOUNDED_TOP = 9_999_999_999_999_999L; // 16 nines

    private IntRanges() {}

    /** The integers in {@code [lo, hi]}; null bounds are open. */
    static String range(Long lo, Long hi) {
        long a = lo == null ? -UNBOUNDED_TOP : Math.max(lo, -UNBOUNDED_TOP);
        long b = hi == null ? UNBOUNDED_TOP : Math.min(hi, UNBOUNDED_TOP);
        if (a > b) throw new GrammarException("no integer lies between minimum " + lo + " and maximum " + hi);
        List<String> alts = new ArrayList<>();
        if (a < 0) alts.add("\"-\" " + group(nonNegative(Math.max(1, -b), -a))); // the negative part, as -(|x|)
        if (b >= 0) alts.add(group(nonNegative(Math.max(0, a), b)));
        return alts.size() == 1 ? alts.get(0) : "(" + String.join(" | ", alts) + ")";
    }

    /** Alternatives for {@code [a, b]}, 0 <= a <= b. */
    private static List<String> nonNegative(long a, long b) {
        List<String> alts = new ArrayList<>();
        for (int len = digits(a); len <= digits(b); len++) {
            long from = Math.max(a, len == 1 ? 0 : pow10(len - 1)), to = Math.min(b, pow10(len) - 1);
            if (from <= to) sameLength(Long.toString(from), Long.toString(to), "", alts);
        }
        return alts;
    }

    /** Appends alternatives for the equal-length digit strings in {@code [lo, hi]}, after {@code prefix}. */
    private static void sameLength(String lo, String hi, String prefix, List<String> out) {
        int p = 0;
        while (p < lo.length() && lo.charAt(p) == hi.charAt(p)) p++;
        String pre = prefix + (p > 0 ? "\"" + lo.substring(0, p) + "\" " : "");
        if (p == lo.length()) {
            out.add(pre.strip());
            return;
        }
        char dl = lo.charAt(p), dh = hi.charAt(p);
        String restLo = lo.substring(p + 1), restHi = hi.substring(p + 1);
        int k = restLo.length();
        if (allOf(restLo, '0') && allOf(restHi, '9')) { // every suffix: one class for the digit
            out.add((pre + digitClass(dl, dh) + any(k)).strip());
            return;
        }
        // dl followed by [restLo, 99..9], the digits between with anything, dh followed by [00..0, restHi]
        sameLength(restLo, "9".repeat(k), pre + "\"" + dl + "\" ", out);
        if (dh - dl >= 2) out.add((pre + digitClass((char) (dl + 1), (char) (dh - 1)) + any(k)).strip());
        sameLength("0".repeat(k), restHi, pre + "\"" + dh + "\" ", out);
    }

    private static String digitClass(char a, char b) { return a == b ? "\"" + a + "\"" : "[" + a + "-" + b + "]"; }

    private static String any(int k) { return k == 0 ? "" : k == 1 ? " [0-9]" : " [0-9]{" + k + "}"; }

    private static boolean allOf(String s, char c) {
        for (int i = 0; i < s.length(); i++) if (s.charAt(i) != c) return false;
        return true;
    }

    private static String group(List<String> alts) { return alts.size() == 1 ? alts.get(0) : "(" + String.join(" | ", alts) + ")"; }

    private static int digits(long v) { return Long.toString(v).length(); }

    private static long pow10(int n) {
        long p = 1;
        for (int i = 0; i < n; i++) p *= 10;
        return p;
    }
}
