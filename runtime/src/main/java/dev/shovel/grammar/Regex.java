package dev.shovel.grammar;

import java.util.ArrayList;
import java.util.List;

/**
 * The regular-expression subset JSON-schema patterns may use here, parsed to a tree: literals, {@code .}, classes
 * (ranges, negation, {@code \d \w \s} and their negations), groups ({@code (...)}, {@code (?:...)},
 * {@code (?<name>...)}), alternation, {@code * + ? {m} {m,} {m,n}} (lazy forms too), and {@code ^}/{@code $} at the
 * ends of top-level branches. A pattern that is not anchored matches anywhere, so its ends get any characters.
 * Character sets are the intersection of what Java's and ECMAScript's engines mean by them.
 */
final class Regex {
    sealed interface Node permits Chars, AnyChar, Seq, Alt, Rep, Anchor {}

    /** One character of a set (non-empty). */
    record Chars(int[] set) implements Node {}

    /** Any character, in any JSON encoding (the unanchored ends). */
    record AnyChar() implements Node {}

    record Seq(List<Node> items) implements Node {}

    record Alt(List<Node> alts) implements Node {}

    /** {@code body{min,max}}, max -1 = unbounded. */
    record Rep(Node body, int min, int max) implements Node {}

    record Anchor(boolean start) implements Node {}

    static final Seq EMPTY = new Seq(List.of());
    static final int[] DIGIT = Ranges.of('0', '9');
    static final int[] WORD = Ranges.of('a', 'z', 'A', 'Z', '0', '9', '_', '_');
    /** White space both engines agree on. */
    static final int[] SPACE = Ranges.of('\t', '\r', ' ', ' ');
    /** White space either engine may mean: \S excludes all of it. */
    static final int[] ANY_SPACE = Ranges.of('\t', '\r', ' ', ' ', 0x85, 0x85, 0xA0, 0xA0, 0x1680, 0x1680, 0x2000, 0x200A,
            0x2028, 0x2029, 0x202F, 0x202F, 0x205F, 0x205F, 0x3000, 0x3000, 0xFEFF, 0xFEFF);
    /** What '.' matches in both engines: no line terminators. */
    static final int[] DOT = Ranges.complement(Ranges.of('\n', '\n', '\r', '\r', 0x85, 0x85, 0x2028, 0x2029));
    private static final int MAX_COUNT = 10_000;

    private final String p;
    private final String where;
    private int pos;

    private Regex(String p, String where) {
        this.p = p;
        this.where = where;
    }

    /** The pattern as a tree whose unanchored ends match any characters; repetitions never repeat the empty string. */
    static Node parse(String pattern, String where) {
        Regex r = new Regex(pattern, where);
        Node top = r.alternation();
        if (r.pos < pattern.length()) throw r.error("unbalanced ')'");
        List<Node> branches = top instanceof Alt a ? a.alts() : List.of(top);
        List<Node> out = new ArrayList<>();
        for (Node b : branches) {
            List<Node> items = new ArrayList<>(b instanceof Seq s ? s.items() : List.of(b));
            boolean start = !items.isEmpty() && items.get(0) instanceof Anchor a && a.start();
            if (start) items.remove(0);
            boolean end = !items.isEmpty() && items.get(items.size() - 1) instanceof Anchor a && !a.start();
            if (end) items.remove(items.size() - 1);
            for (Node n : items) r.noAnchors(n);
            Rep any = new Rep(new AnyChar(), 0, -1);
            if (!start) items.add(0, any);
            if (!end && !(items.size() == 1 && items.get(0) == any)) items.add(any);
            out.add(new Seq(items));
        }
        return normalize(out.size() == 1 ? out.get(0) : new Alt(out));
    }

    private void noAnchors(Node n) {
        switch (n) {
            case Anchor a -> throw error("'^' and '$' are only supported at the start and end");
            case Seq s -> s.items().forEach(this::noAnchors);
            case Alt a -> a.alts().forEach(this::noAnchors);
            case Rep r -> noAnchors(r.body());
            default -> { }
        }
    }

    private Node alternation() {
        List<Node> alts = new ArrayList<>();
        alts.add(sequence());
        while (pos < p.length() && p.charAt(pos) == '|') {
            pos++;
            alts.add(sequence());
        }
        return alts.size() == 1 ? alts.get(0) : new Alt(alts);
    }

    private Node sequence() {
        List<Node> items = new ArrayList<>();
        while (pos < p.length() && p.charAt(pos) != '|' && p.charAt(pos) != ')') {
            Node atom = atom();
            items.add(quantified(atom));
        }
        return items.size() == 1 ? items.get(0) : new Seq(items);
    }

    private Node atom() {
        int c = p.codePointAt(pos);
        pos += Character.charCount(c);
        switch (c) {
            case '(' -> {
                if (p.startsWith("?:", pos)) pos += 2;
                else if (p.startsWith("?<", pos) && pos + 2 < p.length() && Character.isLetter(p.charAt(pos + 2))) {
                    int close = p.indexOf('>', pos);
                    if (close < 0) throw error("unterminated group name");
                    pos = close + 1;
                } else if (p.startsWith("?", pos)) throw error("unsupported group '(?" + (pos + 1 < p.length() ? p.charAt(pos + 1) : "") + "'");
                Node body = alternation();
                if (pos >= p.length() || p.charAt(pos) != ')') throw error("missing ')'");
                pos++;
                return body;
            }
            case '[' -> { return new Chars(charClass()); }
            case '.' -> { return new Chars(DOT); }
            case '^' -> { return new Anchor(true); }
            case '$' -> { return new Anchor(false); }
            case '\\' -> { return new Chars(escape(false)); }
            case '*', '+', '?', '{' -> throw error("'" + (char) c + "' has nothing to repeat");
            default -> { return new Chars(Ranges.single(c)); }
        }
    }

    private Node quantified(Node atom) {
        while (pos < p.length()) {
            char c = p.charAt(pos);
            int min, max;
            if (c == '*') { min = 0; max = -1; }
            else if (c == '+') { min = 1; max = -1; }
            else if (c == '?') { min = 0; max = 1; }
            else if (c == '{') {
                int close = p.indexOf('}', pos);
                String body = close < 0 ? "" : p.substring(pos + 1, close);
                if (!body.matches("\\d{1,6}(,\\d{0,6})?")) throw error("a '{' that is not a repetition count");
                int comma = body.indexOf(',');
                min = Integer.parseInt(comma < 0 ? body : body.substring(0, comma));
                max = comma < 0 ? min : comma == body.length() - 1 ? -1 : Integer.parseInt(body.substring(comma + 1));
                if (max >= 0 && max < min) throw error("repetition {" + body + "} has its maximum below its minimum");
                if (min > MAX_COUNT || max > MAX_COUNT) throw error("repetition {" + body + "} is too large");
                pos = close;
            } else return atom;
            pos++;
            if (atom instanceof Anchor) throw error("an anchor cannot repeat");
            if (pos < p.length() && p.charAt(pos) == '?') pos++; // lazy: the same language
            else if (pos < p.length() && p.charAt(pos) == '+') throw error("possessive repetitions are not supported");
            atom = new Rep(atom, min, max);
        }
        return atom;
    }

    private int[] charClass() {
        boolean negate = pos < p.length() && p.charAt(pos) == '^';
        if (negate) pos++;
        if (pos < p.length() && p.charAt(pos) == ']') throw error("a class starting with ']' (engines disagree on it)");
        int[] set = new int[0];
        while (true) {
            if (pos >= p.length()) throw error("unterminated character class");
            int c = p.codePointAt(pos);
            if (c == ']') { pos++; break; }
            if (c == '[') throw error("'[' inside a class (escape it)");
            if (p.startsWith("&&", pos)) throw error("class intersection '&&' is not supported");
            int[] item = classAtom();
            if (item.length == 2 && item[0] == item[1] && pos + 1 < p.length() && p.charAt(pos) == '-' && p.charAt(pos + 1) != ']') {
                pos++;
                int[] hi = classAtom();
                if (hi.length != 2 || hi[0] != hi[1]) throw error("a class range must end in a single character");
                if (hi[0] < item[0]) throw error("reversed class range");
                item = Ranges.of(item[0], hi[0]);
            }
            set = Ranges.union(set, item);
        }
        return negate ? Ranges.complement(set) : set;
    }

    private int[] classAtom() {
        int c = p.codePointAt(pos);
        pos += Character.charCount(c);
        return c == '\\' ? escape(true) : Ranges.single(c);
    }

    /** After a backslash: the set it stands for. */
    private int[] escape(boolean inClass) {
        if (pos >= p.length()) throw error("trailing backslash");
        int e = p.codePointAt(pos);
        pos += Character.charCount(e);
        return switch (e) {
            case 'd' -> DIGIT;
            case 'D' -> Ranges.complement(DIGIT);
            case 'w' -> WORD;
            case 'W' -> Ranges.complement(WORD);
            case 's' -> SPACE;
            case 'S' -> Ranges.complement(ANY_SPACE);
            case 't' -> Ranges.single('\t');
            case 'n' -> Ranges.single('\n');
            case 'r' -> Ranges.single('\r');
            case 'f' -> Ranges.single('\f');
            case 'v' -> Ranges.single(0x0B);
            case 'x' -> Ranges.single(hex(2));
            case 'u' -> Ranges.single(hex(4));
            default -> {
                if (e < 0x80 && Character.isLetterOrDigit(e)) throw error("unsupported escape '\\" + (char) e + "'");
                yield Ranges.single(e);
            }
        };
    }

    private int hex(int n) {
        if (pos + n > p.length()) throw error("escape needs " + n + " hexadecimal digits");
        String h = p.substring(pos, pos + n);
        if (!h.matches("[0-9a-fA-F]+")) throw error("escape needs " + n + " hexadecimal digits");
        pos += n;
        int v = Integer.parseInt(h, 16);
        if (v >= 0xD800 && v <= 0xDFFF) throw error("surrogate escapes are not supported");
        return v;
    }

    private GrammarException error(String what) {
        return new GrammarException("unsupported pattern at " + where + ": " + what + " (at offset " + pos + " of "
                + JsonText.quote(p) + ")");
    }

    // ---- normal form: repetition bodies never match the empty string ----

    static Node normalize(Node n) {
        return switch (n) {
            case Seq s -> {
                List<Node> items = new ArrayList<>();
                for (Node x : s.items()) {
                    Node y = normalize(x);
                    if (y instanceof Seq inner) items.addAll(inner.items());
                    else items.add(y);
                }
                yield items.size() == 1 ? items.get(0) : new Seq(items);
            }
            case Alt a -> new Alt(a.alts().stream().map(Regex::normalize).toList());
            case Rep r -> {
                Node b = normalize(r.body());
                if (r.max() == 0) yield EMPTY;
                if (!nullable(b)) yield r.min() == 1 && r.max() == 1 ? b : new Rep(b, r.min(), r.max());
                Node ne = nonEmpty(b);
                yield ne == null ? EMPTY : new Rep(ne, 0, r.max());
            }
            default -> n;
        };
    }

    static boolean nullable(Node n) {
        return switch (n) {
            case Chars c -> false;
            case AnyChar a -> false;
            case Seq s -> s.items().stream().allMatch(Regex::nullable);
            case Alt a -> a.alts().stream().anyMatch(Regex::nullable);
            case Rep r -> r.min() == 0 || nullable(r.body());
            case Anchor a -> true;
        };
    }

    /** The same language minus the empty string (of a normalized node); null when that leaves nothing. */
    static Node nonEmpty(Node n) {
        if (!nullable(n)) return n;
        return switch (n) {
            case Seq s -> {
                List<Node> alts = new ArrayList<>();
                List<Node> items = s.items();
                for (int i = 0; i < items.size(); i++) {
                    Node first = nonEmpty(items.get(i));
                    if (first == null) continue;
                    List<Node> rest = new ArrayList<>();
                    rest.add(first);
                    rest.addAll(items.subList(i + 1, items.size()));
                    alts.add(rest.size() == 1 ? first : new Seq(rest));
                }
                yield alts.isEmpty() ? null : alts.size() == 1 ? alts.get(0) : new Alt(alts);
            }
            case Alt a -> {
                List<Node> alts = new ArrayList<>();
                for (Node x : a.alts()) {
                    Node y = nonEmpty(x);
                    if (y != null) alts.add(y);
                }
                yield alts.isEmpty() ? null : alts.size() == 1 ? alts.get(0) : new Alt(alts);
            }
            case Rep r -> r.max() == 0 ? null : new Rep(r.body(), 1, r.max());
            default -> null;
        };
    }

    /** Fewest characters the node matches. */
    static long minLength(Node n) {
        return switch (n) {
            case Chars c -> 1;
            case AnyChar a -> 1;
            case Seq s -> s.items().stream().mapToLong(Regex::minLength).sum();
            case Alt a -> a.alts().stream().mapToLong(Regex::minLength).min().orElse(0);
            case Rep r -> r.min() * minLength(r.body());
            case Anchor a -> 0;
        };
    }

    /** Most characters the node matches; -1 when unbounded. */
    static long maxLength(Node n) {
        return switch (n) {
            case Chars c -> 1;
            case AnyChar a -> 1;
            case Seq s -> {
                long sum = 0;
                for (Node x : s.items()) {
                    long m = maxLength(x);
                    if (m < 0) yield -1;
                    sum += m;
                }
                yield sum;
            }
            case Alt a -> {
                long most = 0;
                for (Node x : a.alts()) {
                    long m = maxLength(x);
                    if (m < 0) yield -1;
                    most = Math.max(most, m);
                }
                yield most;
            }
            case Rep r -> {
                long b = maxLength(r.body());
                if (b == 0) yield 0;
                if (b < 0 || r.max() < 0) yield -1;
                yield b * r.max();
            }
            case Anchor a -> 0;
        };
    }
}
