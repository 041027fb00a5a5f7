package dev.shovel.chat;

import dev.shovel.chat.Token.Kind;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Jinja2 lexer with the settings transformers uses: trim_blocks and lstrip_blocks on, one trailing newline of the
 * source dropped, newlines normalised to {@code \n}. Comments vanish; {@code raw} blocks become data.
 */
final class Lexer {
    private final String src;
    private final int n;
    private final List<Token> out = new ArrayList<>();
    private int pos;
    private int line = 1;
    private boolean lineStarting = true;

    private Lexer(String src) {
        this.src = src;
        this.n = src.length();
    }

    static List<Token> lex(String source) {
        String s = source.replace("\r\n", "\n").replace('\r', '\n');
        if (s.endsWith("\n")) s = s.substring(0, s.length() - 1);
        return new Lexer(s).run();
    }

    private List<Token> run() {
        while (pos < n) {
            int idx = nextTagStart(pos);
            if (idx < 0) {
                out.add(new Token(Kind.DATA, src.substring(pos), line));
                break;
            }
            char kind = src.charAt(idx + 1);
            int p = idx + 2;
            char sign = 0;
            if (p < n && (src.charAt(p) == '-' || src.charAt(p) == '+')) sign = src.charAt(p++);
            String text = strip(src.substring(pos, idx), sign, kind != '{');
            if (!text.isEmpty()) out.add(new Token(Kind.DATA, text, line));
            line += newlines(pos, idx);
            int rawEnd = kind == '%' ? rawTag(p, "raw") : -1;
            if (kind == '#') comment(p);
            else if (rawEnd >= 0) raw(p, rawEnd);
            else tag(p, kind == '{');
        }
        out.add(new Token(Kind.EOF, "", line));
        return out;
    }

    private int nextTagStart(int from) {
        for (int i = src.indexOf('{', from); i >= 0 && i + 1 < n; i = src.indexOf('{', i + 1)) {
            char c = src.charAt(i + 1);
            if (c == '{' || c == '%' || c == '#') return i;
        }
        return -1;
    }

    /** Whitespace control for the data before a tag: {@code -} strips all, lstrip_blocks strips the line's indent. */
    private String strip(String text, char sign, boolean blockOrComment) {
        if (sign == '-') return PyStr.rstrip(text, null);
        if (sign != '+' && blockOrComment) {
            int l = text.lastIndexOf('\n') + 1;
            if ((l > 0 || lineStarting) && l < text.length() && isSpace(text, l, text.length())) return text.substring(0, l);
        }
        return text;
    }

    private void comment(int p) {
        for (int q = p; q < n; q++) {
            int e = -1;
            if (src.startsWith("+#}", q)) e = q + 3;
            else if (src.startsWith("-#}", q)) e = skipSpace(q + 3);
            else if (src.startsWith("#}", q)) e = trimNewline(q + 2);
            if (e >= 0) {
                finishTag(p, e);
                return;
            }
        }
        throw new TemplateException("Missing end of comment tag", line);
    }

    /** Matches {@code \s* name \s* (-%}\s* | %})} from p (after "{%" and its sign); returns the end or -1. */
    private int rawTag(int p, String name) {
        int q = skipSpace(p);
        if (!src.startsWith(name, q)) return -1;
        q = skipSpace(q + name.length());
        if (src.startsWith("-%}", q)) return skipSpace(q + 3);
        if (src.startsWith("%}", q)) return q + 2;
        return -1;
    }

    private void raw(int p, int rawEnd) {
        finishTag(p, rawEnd);
        for (int i = src.indexOf("{%", pos); i >= 0; i = src.indexOf("{%", i + 1)) {
            int q = i + 2;
            char sign = 0;
            if (q < n && (src.charAt(q) == '-' || src.charAt(q) == '+')) sign = src.charAt(q++);
            q = skipSpace(q);
            if (!src.startsWith("endraw", q)) continue;
            q = skipSpace(q + 6);
            int e;
            if (src.startsWith("+%}", q)) e = q + 3;
            else if (src.startsWith("-%}", q)) e = skipSpace(q + 3);
            else if (src.startsWith("%}", q)) e = trimNewline(q + 2);
            else continue;
            String text = strip(src.substring(pos, i), sign, true);
            if (!text.isEmpty()) out.add(new Token(Kind.DATA, text, line));
            finishTag(pos, e);
            return;
        }
        throw new TemplateException("Missing end of raw directive", line);
    }

    private void tag(int p, boolean variable) {
        out.add(new Token(variable ? Kind.VAR_BEGIN : Kind.BLOCK_BEGIN, variable ? "{{" : "{%", line));
        Deque<Character> brackets = new ArrayDeque<>();
        int start = p;
        pos = p;
        counted = p;
        countedLine = line;
        while (true) {
            if (brackets.isEmpty()) {
                int e = endOfTag(pos, variable);
                if (e >= 0) {
                    out.add(new Token(variable ? Kind.VAR_END : Kind.BLOCK_END, variable ? "}}" : "%}", lineAt(pos)));
                    finishTag(start, e);
                    return;
                }
            }
            if (pos >= n) {
                throw new TemplateException("unexpected end of template, expected 'end of "
                        + (variable ? "print statement" : "statement block") + "'", lineAt(pos));
            }
            char c = src.charAt(pos);
            if (PyStr.isSpace(c)) {
                pos++;
                continue;
            }
            int tokenLine = lineAt(pos);
            if (c >= '0' && c <= '9') {
                number(tokenLine);
            } else if (Character.isLetter(c) || c == '_') {
                int s = pos;
                while (pos < n && (Character.isLetterOrDigit(src.charAt(pos)) || src.charAt(pos) == '_')) pos++;
                out.add(new Token(Kind.NAME, src.substring(s, pos), tokenLine));
            } else if (c == '\'' || c == '"') {
                string(c, tokenLine);
            } else {
                operator(brackets, tokenLine);
            }
        }
    }

    private int counted;
    private int countedLine;

    /** Line of position q inside the current tag; q never decreases, so this stays linear. */
    private int lineAt(int q) {
        countedLine += newlines(counted, q);
        counted = q;
        return countedLine;
    }

    private int endOfTag(int p, boolean variable) {
        String close = variable ? "}}" : "%}";
        char c = p < n ? src.charAt(p) : 0;
        if (c == '+' && !variable && src.startsWith(close, p + 1)) return p + 3;
        if (c == '-' && src.startsWith(close, p + 1)) return skipSpace(p + 3);
        if (c == close.charAt(0) && src.startsWith(close, p)) return variable ? p + 2 : trimNewline(p + 2);
        return -1;
    }

    private void number(int tokenLine) {
        int s = pos;
        pos = digits(pos);
        boolean isFloat = false;
        boolean afterDot = s > 0 && src.charAt(s - 1) == '.';
        if (!afterDot) {
            if (pos + 1 < n && src.charAt(pos) == '.' && isDigit(pos + 1)) {
                pos = digits(pos + 1);
                isFloat = true;
            }
            if (pos < n && (src.charAt(pos) == 'e' || src.charAt(pos) == 'E')) {
                int q = pos + 1;
                if (q < n && (src.charAt(q) == '+' || src.charAt(q) == '-')) q++;
                if (isDigit(q)) {
                    pos = digits(q);
                    isFloat = true;
                }
            }
        }
        String text = src.substring(s, pos).replace("_", "");
        out.add(new Token(isFloat ? Kind.FLOAT : Kind.INT, text, tokenLine));
    }

    private int digits(int q) {
        while (q < n && (isDigit(q) || (src.charAt(q) == '_' && isDigit(q + 1)))) q++;
        return q;
    }

    private boolean isDigit(int q) {
        return q < n && src.charAt(q) >= '0' && src.charAt(q) <= '9';
    }

    private void string(char quote, int tokenLine) {
        StringBuilder sb = new StringBuilder();
        int q = pos + 1;
        while (q < n && src.charAt(q) != quote) {
            char c = src.charAt(q);
            if (c != '\\') {
                sb.append(c);
                q++;
                continue;
            }
            if (q + 1 >= n) break;
            q = escape(sb, q + 1);
        }
        if (q >= n) throw new TemplateException("unexpected char '" + quote + "'", tokenLine);
        out.add(new Token(Kind.STRING, sb.toString(), tokenLine));
        pos = q + 1;
    }

    /** Python unicode-escape of the character at q (after the backslash); returns the next position. */
    private int escape(StringBuilder sb, int q) {
        char c = src.charAt(q);
        switch (c) {
            case '\n' -> { }
            case '\\', '\'', '"' -> sb.append(c);
            case 'a' -> sb.append('\u0007');
            case 'b' -> sb.append('\b');
            case 'f' -> sb.append('\f');
            case 'n' -> sb.append('\n');
            case 'r' -> sb.append('\r');
            case 't' -> sb.append('\t');
            case 'v' -> sb.append('\u000b');
            case 'x', 'u', 'U' -> {
                int len = c == 'x' ? 2 : c == 'u' ? 4 : 8;
                if (q + len >= n || !isHex(q + 1, q + 1 + len)) {
                    throw new TemplateException("truncated \\" + c + " escape in string literal", line);
                }
                long cp = Long.parseLong(src.substring(q + 1, q + 1 + len), 16);
                if (cp > Character.MAX_CODE_POINT) throw new TemplateException("illegal Unicode character \\" + c, line);
                sb.appendCodePoint((int) cp);
                return q + 1 + len;
            }
            default -> {
                if (c >= '0' && c <= '7') {
                    int e = q;
                    while (e < n && e < q + 3 && src.charAt(e) >= '0' && src.charAt(e) <= '7') e++;
                    sb.appendCodePoint(Integer.parseInt(src.substring(q, e), 8));
                    return e;
                }
                sb.append('\\').append(c);
            }
        }
        return q + 1;
    }

    private boolean isHex(int from, int to) {
        for (int i = from; i < to; i++) if (Character.digit(src.charAt(i), 16) < 0) return false;
        return true;
    }

    private static final String[] OPS2 = {"//", "**", "==", "!=", ">=", "<="};

    private void operator(Deque<Character> brackets, int tokenLine) {
        for (String op : OPS2) {
            if (src.startsWith(op, pos)) {
                out.add(new Token(Kind.OP, op, tokenLine));
                pos += 2;
                return;
            }
        }
        char c = src.charAt(pos);
        if ("+-/*%~[](){}><=.:|,;".indexOf(c) < 0) throw new TemplateException("unexpected char '" + c + "'", tokenLine);
        switch (c) {
            case '(', '[', '{' -> brackets.push(c == '(' ? ')' : c == '[' ? ']' : '}');
            case ')', ']', '}' -> {
                if (brackets.isEmpty()) throw new TemplateException("unexpected '" + c + "'", tokenLine);
                char want = brackets.pop();
                if (want != c) throw new TemplateException("unexpected '" + c + "', expected '" + want + "'", tokenLine);
            }
            default -> { }
        }
        out.add(new Token(Kind.OP, String.valueOf(c), tokenLine));
        pos++;
    }

    private void finishTag(int from, int end) {
        line += newlines(from, end);
        lineStarting = src.charAt(end - 1) == '\n';
        pos = end;
    }

    private int trimNewline(int e) {
        return e < n && src.charAt(e) == '\n' ? e + 1 : e;
    }

    private int skipSpace(int q) {
        while (q < n && PyStr.isSpace(src.charAt(q))) q++;
        return q;
    }

    private boolean isSpace(String s, int from, int to) {
        for (int i = from; i < to; i++) if (!PyStr.isSpace(s.charAt(i))) return false;
        return true;
    }

    private int newlines(int from, int to) {
        int c = 0;
        for (int i = from; i < to; i++) if (src.charAt(i) == '\n') c++;
        return c;
    }
}
