package dev.shovel.grammar;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Parses llama.cpp's GBNF: {@code name ::= alternatives}, {@code |}, groups, {@code * + ? {m} {m,} {m,n}}, string
 * literals, character classes (ranges, {@code ^}), {@code .}, backslash escapes (x, u, U, n, r, t), {@code #} comments.
 * Newlines separate rules except inside parentheses and after {@code ::=} or {@code |}. Repetitions become helper
 * rules; the result is a list of rules whose alternatives are element codes ({@link Rules}).
 */
final class Gbnf {
    /** Most elements a grammar may expand to (repetition counts multiply). */
    static final int MAX_ELEMENTS = 1 << 20;
    static final int MAX_REPEAT = 100_000;

    private final String src;
    private int pos;
    private final Rules rules = new Rules();
    private final Map<String, Integer> ids = new HashMap<>();
    private final Map<Integer, Integer> firstUse = new HashMap<>(); // rule id -> where first referenced
    private int elements;
    private int current; // the rule being parsed, for helper rules' names

    private Gbnf(String src) { this.src = src; }

    static Rules parse(String src) {
        Gbnf p = new Gbnf(src);
        p.grammar();
        return p.rules;
    }

    private void grammar() {
        while (true) {
            skip(true);
            if (pos >= src.length()) break;
            int at = pos;
            String name = name();
            if (name.isEmpty()) throw error(at, "expected a rule name, found " + describe(at));
            int id = id(name);
            if (rules.defined(id)) throw error(at, "rule '" + name + "' is defined twice");
            rules.define(id, at);
            current = id;
            skip(false);
            if (!src.startsWith("::=", pos)) throw error(pos, "expected '::=' after rule name '" + name + "', found " + describe(pos));
            pos += 3;
            skip(true);
            rules.setAlts(id, alternates(false));
            if (pos < src.length() && src.charAt(pos) != '\n' && src.charAt(pos) != '\r') throw error(pos, "unexpected " + describe(pos));
        }
        Integer root = ids.get("root");
        if (root == null) throw new GrammarException("the grammar has no 'root' rule");
        rules.root = root;
        for (int r = 0; r < rules.size(); r++) {
            if (!rules.defined(r)) throw error(firstUse.get(r), "rule '" + rules.name(r) + "' is not defined");
        }
    }

    /** Alternatives up to ')' (nested) or the end of the rule. */
    private List<int[]> alternates(boolean nested) {
        List<int[]> alts = new ArrayList<>();
        alts.add(sequence(nested));
        while (true) {
            int save = pos;
            if (!nested) skip(true); // a '|' may start the next line
            if (pos < src.length() && src.charAt(pos) == '|') {
                pos++;
                skip(true);
                alts.add(sequence(nested));
            } else {
                pos = save;
                return alts;
            }
        }
    }

    private int[] sequence(boolean nested) {
        Seq seq = new Seq();
        while (pos < src.length()) {
            char c = src.charAt(pos);
            int start = seq.size();
            int at = pos;
            if (c == '"') {
                pos++;
                while (true) {
                    if (pos >= src.length()) throw error(at, "unterminated string literal");
                    if (src.charAt(pos) == '"') break;
                    int cp = character(at);
                    seq.add(rules.set(new int[] {cp, cp}));
                }
                pos++;
            } else if (c == '[') {
                seq.add(rules.set(charClass()));
            } else if (c == '.') {
                pos++;
                seq.add(rules.set(new int[] {0, Character.MAX_CODE_POINT}));
            } else if (c == '(') {
                pos++;
                skip(true);
                int helper = rules.helper(current);
                rules.setAlts(helper, alternates(true));
                if (pos >= src.length() || src.charAt(pos) != ')') throw error(at, "unbalanced '(': expected ')'");
                pos++;
                seq.add(Rules.ref(helper));
            } else if (isNameChar(c)) {
                String name = name();
                int id = id(name);
                firstUse.putIfAbsent(id, at);
                int save = pos;
                skip(false);
                if (src.startsWith("::=", pos)) throw error(at, "expected a newline before the next rule '" + name + "'");
                pos = save;
                seq.add(Rules.ref(id));
            } else if (c == '*' || c == '+' || c == '?' || c == '{') {
                throw error(at, "'" + c + "' has nothing to repeat");
            } else {
                break; // '|', ')', a newline or something the caller reports
            }
            skip(nested);
            if (pos < src.length()) quantifier(seq, start, at, nested);
            if (elements + seq.size() > MAX_ELEMENTS) throw error(at, "the grammar is too large (more than " + MAX_ELEMENTS + " elements)");
        }
        elements += seq.size();
        return seq.toArray();
    }

    /** Applies a quantifier after the atom {@code seq[start..]}, if one follows. */
    private void quantifier(Seq seq, int start, int at, boolean nested) {
        char c = src.charAt(pos);
        int min, max; // max < 0: unbounded
        if (c == '*') { min = 0; max = -1; pos++; }
        else if (c == '+') { min = 1; max = -1; pos++; }
        else if (c == '?') { min = 0; max = 1; pos++; }
        else if (c == '{') {
            pos++;
            skip(true);
            min = number(at);
            skip(true);
            max = min;
            if (pos < src.length() && src.charAt(pos) == ',') {
                pos++;
                skip(true);
                max = pos < src.length() && Character.isDigit(src.charAt(pos)) ? number(at) : -1;
                skip(true);
            }
            if (pos >= src.length() || src.charAt(pos) != '}') throw error(pos, "expected '}' to close the repetition, found " + describe(pos));
            pos++;
            if (max >= 0 && max < min) throw error(at, "repetition {" + min + "," + max + "} has its maximum below its minimum");
        } else {
            return;
        }
        skip(nested);
        int[] atom = seq.cut(start);
        // a multi-element atom (a literal) repeats as a whole: make it one rule
        int item = atom.length == 1 ? atom[0] : Rules.ref(rules.helper(current, List.of(atom)));
        long total = (long) Math.max(min, max) + elements + seq.size();
        if (total > MAX_ELEMENTS || min > MAX_REPEAT || max > MAX_REPEAT) throw error(at, "the repetition is too large");
        for (int i = 0; i < min; i++) seq.add(item);
        if (max < 0) {
            int star = rules.helper(current); // star ::= item star |
            rules.setAlts(star, List.of(new int[] {item, Rules.ref(star)}, new int[0]));
            seq.add(Rules.ref(star));
        } else if (max > min) {
            int tail = -1; // opt_k ::= item opt_{k-1} |
            for (int k = 0; k < max - min; k++) {
                int opt = rules.helper(current);
                rules.setAlts(opt, List.of(tail < 0 ? new int[] {item} : new int[] {item, Rules.ref(tail)}, new int[0]));
                tail = opt;
            }
            seq.add(Rules.ref(tail));
        }
        if (pos < src.length() && "*+?{".indexOf(src.charAt(pos)) >= 0) throw error(pos, "two repetition operators in a row");
    }

    private int number(int at) {
        int start = pos;
        while (pos < src.length() && Character.isDigit(src.charAt(pos))) pos++;
        if (pos == start) throw error(pos, "expected a number in the repetition, found " + describe(pos));
        if (pos - start > 6) throw error(at, "the repetition is too large");
        return Integer.parseInt(src.substring(start, pos));
    }

    /** A class {@code [...]} as sorted, merged ranges. */
    private int[] charClass() {
        int at = pos++;
        boolean negated = pos < src.length() && src.charAt(pos) == '^';
        if (negated) pos++;
        List<int[]> ranges = new ArrayList<>();
        while (true) {
            if (pos >= src.length()) throw error(at, "unterminated character class");
            if (src.charAt(pos) == ']') break;
            int lo = character(at), hi = lo;
            if (pos + 1 < src.length() && src.charAt(pos) == '-' && src.charAt(pos + 1) != ']') {
                pos++;
                hi = character(at);
                if (hi < lo) throw error(at, String.format("character range U+%04X-U+%04X is reversed", lo, hi));
            }
            ranges.add(new int[] {lo, hi});
        }
        pos++;
        int[] set = CharSets.of(ranges);
        return negated ? CharSets.complement(set) : set;
    }

    /** One character of a literal or class, escapes decoded; advances past it. */
    private int character(int at) {
        int c = src.codePointAt(pos);
        if (c == '\n' || c == '\r') throw error(at, src.charAt(at) == '"' ? "unterminated string literal" : "unterminated character class");
        pos += Character.charCount(c);
        if (c != '\\') return c;
        if (pos >= src.length()) throw error(pos, "unfinished escape");
        char e = src.charAt(pos++);
        return switch (e) {
            case 'n' -> '\n';
            case 'r' -> '\r';
            case 't' -> '\t';
            case '0' -> 0;
            case '\\', '"', '[', ']', '-', '^', '/', '.' -> e;
            case 'x' -> hex(2);
            case 'u' -> hex(4);
            case 'U' -> hex(8);
            default -> throw error(pos - 2, "unknown escape '\\" + e + "'");
        };
    }

    private int hex(int n) {
        int start = pos - 2;
        if (pos + n > src.length()) throw error(start, "escape needs " + n + " hexadecimal digits");
        long v = 0;
        for (int i = 0; i < n; i++) {
            int d = Character.digit(src.charAt(pos + i), 16);
            if (d < 0) throw error(start, "escape needs " + n + " hexadecimal digits");
            v = v * 16 + d;
        }
        pos += n;
        if (v > Character.MAX_CODE_POINT || (v >= 0xD800 && v <= 0xDFFF)) throw error(start, String.format("escape \\U%08X is not a Unicode scalar value", v));
        return (int) v;
    }

    private String name() {
        int start = pos;
        while (pos < src.length() && isNameChar(src.charAt(pos))) pos++;
        return src.substring(start, pos);
    }

    private static boolean isNameChar(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_';
    }

    private int id(String name) {
        return ids.computeIfAbsent(name, rules::add);
    }

    /** Skips blanks and comments; newlines too when {@code newlines}. */
    private void skip(boolean newlines) {
        while (pos < src.length()) {
            char c = src.charAt(pos);
            if (c == ' ' || c == '\t' || (newlines && (c == '\n' || c == '\r'))) pos++;
            else if (c == '#') {
                while (pos < src.length() && src.charAt(pos) != '\n' && src.charAt(pos) != '\r') pos++;
            } else break;
        }
    }

    private String describe(int at) {
        if (at >= src.length()) return "the end of the grammar";
        int c = src.codePointAt(at);
        if (c == '\n' || c == '\r') return "the end of the line";
        return "'" + new String(Character.toChars(c)) + "'";
    }

    GrammarException error(int at, String message) { return error(src, at, message); }

    static GrammarException error(String src, int at, String message) {
        int line = 1, col = 1;
        for (int i = 0; i < at && i < src.length(); i++) {
            if (src.charAt(i) == '\n') { line++; col = 1; } else col++;
        }
        return new GrammarException("line " + line + ", column " + col + ": " + message);
    }

    /** A growable int list. */
    private static final class Seq {
        private int[] a = new int[8];
        private int n;

        void add(int v) {
            if (n == a.length) a = java.util.Arrays.copyOf(a, 2 * n);
            a[n++] = v;
        }

        int size() { return n; }

        int[] cut(int from) {
            int[] r = java.util.Arrays.copyOfRange(a, from, n);
            n = from;
            return r;
        }

        int[] toArray() { return java.util.Arrays.copyOf(a, n); }
    }
}
