package dev.shovel.grammar;

import java.util.ArrayList;
import java.util.List;

/**
 * A JSON-Schema {@code pattern} as GBNF for the JSON text of a string's content: llama.cpp's regular-expression subset
 * (literals, {@code .}, classes with ranges and {@code ^}, {@code \d \w \s} and their negations, escapes, groups,
 * {@code (?:...)}, alternation, {@code * + ? {m,n}}). The pattern must match the whole string (a leading {@code ^} and
 * trailing {@code $} are optional): a whole match is a match anywhere too. Each character comes out JSON-escaped
 * ({@code "} as {@code \"}, control characters as escapes), so the string always parses. Classes use the meanings
 * ECMA-262 and java.util.regex share: {@code \s} is ASCII white space, {@code .} excludes line terminators.
 */
final class RegexGrammar {
    private static final int[] DIGIT = {'0', '9'};
    private static final int[] WORD = {'0', '9', 'A', 'Z', '_', '_', 'a', 'z'};
    private static final int[] DOT = CharSets.complement(CharSets.of(List.of(new int[] {'\n', '\n'}, new int[] {'\r', '\r'},
            new int[] {0x85, 0x85}, new int[] {0x2028, 0x2029})));

    /** Repetitions an unbounded quantifier of a nullable group may make. */
    static final int UNBOUNDED_NULLABLE = 32;

    private final String re, path;
    private int pos, end;

    private RegexGrammar(String re, String path) {
        this.re = re;
        this.path = path;
    }

    static String toGbnf(String pattern, String path) {
        RegexGrammar g = new RegexGrammar(pattern, path);
        g.end = pattern.length();
        if (pattern.startsWith("^")) g.pos = 1;
        if (g.end > g.pos && pattern.charAt(g.end - 1) == '$' && !escaped(pattern, g.end - 1)) g.end--;
        String e = g.alternation();
        if (g.pos < g.end) throw g.error("unbalanced ')'");
        return e.isEmpty() ? "\"\"" : e;
    }

    private static boolean escaped(String s, int i) {
        int n = 0;
        while (i - 1 - n >= 0 && s.charAt(i - 1 - n) == '\\') n++;
        return n % 2 == 1;
    }

    private String alternation() {
        List<String> alts = new ArrayList<>();
        alts.add(sequence());
        while (pos < end && re.charAt(pos) == '|') {
            pos++;
            alts.add(sequence());
        }
        if (alts.size() == 1) return alts.get(0);
        return "(" + String.join(" | ", alts.stream().map(a -> a.isEmpty() ? "\"\"" : a).toList()) + ")";
    }

    private String sequence() {
        StringBuilder b = new StringBuilder();
        while (pos < end && re.charAt(pos) != '|' && re.charAt(pos) != ')') {
            String atom = atom();
            atom = quantified(atom);
            if (!atom.isEmpty()) b.append(b.length() > 0 ? " " : "").append(atom);
        }
        return b.toString();
    }

    private String quantified(String atom) {
        if (pos >= end) return atom;
        char c = re.charAt(pos);
        String q;
        if (c == '*' || c == '+' || c == '?') {
            q = String.valueOf(c);
            pos++;
        } else if (c == '{' && pos + 1 < end && Character.isDigit(re.charAt(pos + 1))) {
            int close = re.indexOf('}', pos);
            if (close < 0 || close >= end) throw error("unclosed '{'");
            String body = re.substring(pos + 1, close);
            if (!body.matches("\\d{1,5}(,\\d{0,5})?")) throw error("bad repetition {" + body + "}");
            q = "{" + body + "}";
            pos = close + 1;
        } else return atom;
        if (pos < end && re.charAt(pos) == '?') pos++; // lazy: the same strings
        if (!q.equals("?") && !q.matches("\\{\\d+(,\\d+)?}") && nullable(atom)) {
            // an unbounded repetition of something that can match nothing would loop without reading: bound it
            int lo = q.equals("+") ? 1 : q.equals("*") ? 0 : Integer.parseInt(q.substring(1, q.indexOf(',')));
            q = "{" + lo + "," + (lo + UNBOUNDED_NULLABLE) + "}";
        }
        if (pos < end && "*+?{".indexOf(re.charAt(pos)) >= 0 && !(re.charAt(pos) == '{' && (pos + 1 >= end || !Character.isDigit(re.charAt(pos + 1))))) {
            throw error("possessive or repeated quantifiers are not supported");
        }
        return "(" + atom + ")" + q;
    }

    /** Whether a GBNF expression can match the empty string. */
    private static boolean nullable(String expr) {
        try {
            return Grammar.parse("root ::= " + expr).matches("");
        } catch (GrammarException e) {
            return true; // a repeated nullable part inside: treat it as nullable
        }
    }

    private String atom() {
        char c = re.charAt(pos);
        switch (c) {
            case '(' -> {
                pos++;
                if (re.startsWith("?:", pos)) pos += 2;
                else if (re.startsWith("?<", pos) && pos + 2 < end && Character.isLetter(re.charAt(pos + 2))) {
                    int close = re.indexOf('>', pos);
                    if (close < 0) throw error("unclosed group name");
                    pos = close + 1;
                } else if (re.startsWith("?", pos)) throw error("lookaround and inline flags are not supported");
                String inner = alternation();
                if (pos >= end || re.charAt(pos) != ')') throw error("unbalanced '('");
                pos++;
                return inner.isEmpty() ? "\"\"" : "(" + inner + ")";
            }
            case '[' -> {
                return json(charClass());
            }
            case '.' -> {
                pos++;
                return json(DOT);
            }
            case '\\' -> {
                int[] set = escape(false);
                return json(set);
            }
            case '^', '$' -> throw error("anchors are only supported at the start and end");
            case '*', '+', '?' -> throw error("'" + c + "' has nothing to repeat");
            default -> {
                int cp = re.codePointAt(pos);
                pos += Character.charCount(cp);
                return json(new int[] {cp, cp});
            }
        }
    }

    private int[] charClass() {
        pos++;
        boolean negated = pos < end && re.charAt(pos) == '^';
        if (negated) pos++;
        List<int[]> ranges = new ArrayList<>();
        boolean first = true;
        while (true) {
            if (pos >= end) throw error("unclosed '['");
            char c = re.charAt(pos);
            if (c == ']' && !first) break;
            first = false;
            int lo;
            if (c == '\\') {
                int[] set = escape(true);
                if (set.length != 2 || set[0] != set[1]) { // \d, \w, \s: no range
                    for (int i = 0; i < set.length; i += 2) ranges.add(new int[] {set[i], set[i + 1]});
                    continue;
                }
                lo = set[0];
            } else {
                lo = re.codePointAt(pos);
                pos += Character.charCount(lo);
            }
            int hi = lo;
            if (pos + 1 < end && re.charAt(pos) == '-' && re.charAt(pos + 1) != ']') {
                pos++;
                if (re.charAt(pos) == '\\') {
                    int[] set = escape(true);
                    if (set.length != 2 || set[0] != set[1]) throw error("a class escape cannot end a range");
                    hi = set[0];
                } else {
                    hi = re.codePointAt(pos);
                    pos += Character.charCount(hi);
                }
                if (hi < lo) throw error("range out of order");
            }
            ranges.add(new int[] {lo, hi});
        }
        pos++;
        int[] set = CharSets.of(ranges);
        return negated ? CharSets.complement(set) : set;
    }

    /** The set an escape stands for (one character, or a class), advancing past it. */
    private int[] escape(boolean inClass) {
        pos++;
        if (pos >= end) throw error("unfinished escape");
        char e = re.charAt(pos++);
        return switch (e) {
            case 'd' -> DIGIT;
            case 'D' -> CharSets.complement(DIGIT);
            case 'w' -> WORD;
            case 'W' -> CharSets.complement(WORD);
            case 's' -> CharSets.of(List.of(new int[] {'\t', '\r'}, new int[] {' ', ' '}));
            case 'S' -> CharSets.complement(CharSets.of(List.of(new int[] {'\t', '\r'}, new int[] {' ', ' '})));
            case 'n' -> one('\n');
            case 'r' -> one('\r');
            case 't' -> one('\t');
            case 'f' -> one('\f');
            case 'v' -> one(0x0B);
            case '0' -> one(0);
            case 'x' -> one(hex(2));
            case 'u' -> one(hex(4));
            case 'b' -> {
                if (inClass) yield one('\b');
                throw error("word boundaries are not supported");
            }
            default -> {
                if (Character.isDigit(e)) throw error("back-references are not supported");
                if (Character.isLetter(e)) throw error("unknown escape '\\" + e + "'");
                yield one(e);
            }
        };
    }

    private int hex(int n) {
        if (pos + n > end) throw error("escape needs " + n + " hexadecimal digits");
        try {
            int v = Integer.parseInt(re.substring(pos, pos + n), 16);
            pos += n;
            return v;
        } catch (NumberFormatException x) {
            throw error("escape needs " + n + " hexadecimal digits");
        }
    }

    private static int[] one(int c) { return new int[] {c, c}; }

    /** GBNF for any character of {@code set} as it appears inside a JSON string. */
    static String json(int[] set) {
        List<int[]> plain = new ArrayList<>();
        List<String> alts = new ArrayList<>();
        for (int i = 0; i < set.length; i += 2) {
            for (int lo = set[i], hi = set[i + 1]; lo <= hi; ) {
                if (lo < 0x20 || lo == '"' || lo == '\\') {
                    alts.add(GbnfText.literal(escapeJson(lo)));
                    lo++;
                    continue;
                }
                int stop = hi; // the plain run up to the next character that needs escaping
                if (lo < '"' && stop >= '"') stop = '"' - 1;
                else if (lo < '\\' && stop >= '\\') stop = '\\' - 1;
                plain.add(new int[] {lo, stop});
                lo = stop + 1;
            }
        }
        if (!plain.isEmpty()) alts.add(0, GbnfText.charClass(CharSets.of(plain), false));
        if (alts.isEmpty()) throw new GrammarException("a pattern's character class is empty");
        return alts.size() == 1 ? alts.get(0) : "(" + String.join(" | ", alts) + ")";
    }

    private static String escapeJson(int c) {
        return switch (c) {
            case '"' -> "\\\"";
            case '\\' -> "\\\\";
            case '\n' -> "\\n";
            case '\r' -> "\\r";
            case '\t' -> "\\t";
            case '\b' -> "\\b";
            case '\f' -> "\\f";
            default -> String.format("\\u%04x", c);
        };
    }

    private GrammarException error(String message) {
        return new GrammarException("pattern '" + re + "' at " + path + ": " + message + " (at character " + (pos + 1) + ")");
    }
}
