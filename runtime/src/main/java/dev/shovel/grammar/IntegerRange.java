package dev.shovel.grammar;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;

/**
 * GBNF for exactly the integers of a range, in JSON's notation: no leading zeros, no {@code -0}. Same-length digit
 * strings split at their first differing digit, so every alternative starts with its own digit (no ambiguity within
 * a length). An open side stops at 16 digits, or at the other bound's length when that is longer.
 */
final class IntegerRange {
    static final int DEFAULT_DIGITS = 16;

    private IntegerRange() {}

    /** The body of a rule for the integers in [lo, hi]; a null bound is open. Requires lo <= hi when both are given. */
    static String gbnf(BigInteger lo, BigInteger hi) {
        int digits = DEFAULT_DIGITS;
        if (lo != null) digits = Math.max(digits, lo.abs().toString().length());
        if (hi != null) digits = Math.max(digits, hi.abs().toString().length());
        BigInteger limit = BigInteger.TEN.pow(digits).subtract(BigInteger.ONE);
        if (lo == null) lo = limit.negate();
        if (hi == null) hi = limit;
        List<String> alts = new ArrayList<>();
        if (lo.signum() < 0) {
            BigInteger a = hi.signum() < 0 ? hi.negate() : BigInteger.ONE;
            List<String> neg = positive(a, lo.negate());
            alts.add("\"-\" " + (neg.size() == 1 ? neg.get(0) : "( " + String.join(" | ", neg) + " )"));
        }
        if (lo.signum() <= 0 && hi.signum() >= 0) alts.add("\"0\"");
        if (hi.signum() > 0) alts.addAll(positive(lo.max(BigInteger.ONE), hi));
        return String.join(" | ", alts);
    }

    /** Alternatives for [a, b], 1 <= a <= b: one per digit count, whole digit counts in a row merged. */
    private static List<String> positive(BigInteger a, BigInteger b) {
        List<String> alts = new ArrayList<>();
        int la = a.toString().length(), lb = b.toString().length();
        int fullFrom = -1;
        for (int len = la; len <= lb + 1; len++) {
            boolean full = false;
            BigInteger lo = null, hi = null;
            if (len <= lb) {
                BigInteger first = BigInteger.TEN.pow(len - 1), last = BigInteger.TEN.pow(len).subtract(BigInteger.ONE);
                lo = len == la ? a : first;
                hi = len == lb ? b : last;
                full = lo.equals(first) && hi.equals(last);
            }
            if (full) {
                if (fullFrom < 0) fullFrom = len;
                continue;
            }
            if (fullFrom >= 0) {
                alts.add("[1-9]" + repeat(fullFrom - 1, len - 2));
                fullFrom = -1;
            }
            if (lo != null) alts.add(span(lo.toString(), hi.toString()));
        }
        return alts;
    }

    private static String repeat(int min, int max) {
        if (max == 0) return "";
        return min == max ? " [0-9]{" + min + "}" : " [0-9]{" + min + "," + max + "}";
    }

    /** Digit strings of one length from x to y (x <= y). */
    private static String span(String x, String y) {
        int p = 0;
        while (p < x.length() && x.charAt(p) == y.charAt(p)) p++;
        String prefix = p > 0 ? "\"" + x.substring(0, p) + "\"" : "";
        if (p == x.length()) return prefix;
        int tail = x.length() - p - 1;
        char dx = x.charAt(p), dy = y.charAt(p);
        String xs = x.substring(p + 1), ys = y.substring(p + 1);
        List<String> alts = new ArrayList<>();
        char from = dx, to = dy;
        if (!xs.chars().allMatch(c -> c == '0')) {
            alts.add(join("\"" + dx + "\"", span(xs, "9".repeat(tail))));
            from++;
        }
        String high = null;
        if (!ys.chars().allMatch(c -> c == '9')) {
            high = join("\"" + dy + "\"", span("0".repeat(tail), ys));
            to--;
        }
        if (from <= to) alts.add((from == to ? "\"" + from + "\"" : "[" + from + "-" + to + "]") + repeat(tail, tail));
        if (high != null) alts.add(high);
        String rest = alts.size() == 1 ? alts.get(0) : "( " + String.join(" | ", alts) + " )";
        return join(prefix, rest);
    }

    private static String join(String a, String b) {
        if (a.isEmpty()) return b;
        if (b.isEmpty()) return a;
        return a + " " + b;
    }
}
