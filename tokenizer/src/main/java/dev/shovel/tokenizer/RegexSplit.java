package dev.shovel.tokenizer;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * A pre-tokenizer regex run the way llama.cpp runs the ones it has no hand-written splitter for. A regex
 * using \p{N}/\p{L}/\p{P}/\p{M}/\p{S} (or \p{Lu}.. which count as \p{L}) runs on the collapsed text, each
 * class rewritten to its category marker plus the ASCII members; any other regex runs on the wide text.
 */
final class RegexSplit implements SplitStep {
    private static final String[][] CATEGORIES = {
        {"\\p{N}", "\u00D1", "0-9"},
        {"\\p{L}", "\u00D2", "A-Za-z"},
        {"\\p{P}", "\u00D3", "!-#%-*,-/:-;?-@\\[-\\]_\\{\\}"},
        {"\\p{M}", "\u00D4", ""},
        {"\\p{S}", "\u00D5", "\\$\\+<->^`\\|"},
        {"\\p{Lu}", "\u00D2", "A-Za-z"},
        {"\\p{Ll}", "\u00D2", "A-Za-z"},
        {"\\p{Lt}", "\u00D2", "A-Za-z"},
        {"\\p{Lm}", "\u00D2", "A-Za-z"},
        {"\\p{Lo}", "\u00D2", "A-Za-z"},
    };

    private final String source;
    private final Pattern pattern;
    private final boolean collapsed;

    /** @param regex the regex as llama.cpp lists it (ECMAScript syntax; non-ASCII written as \x{..}) */
    RegexSplit(String regex) {
        this.source = regex;
        this.collapsed = usesCategories(regex);
        String java = collapsed ? collapse(regex) : regex;
        try {
            this.pattern = Pattern.compile(anchorEnd(java));
        } catch (PatternSyntaxException e) {
            throw new TokenizerException("cannot compile pre-tokenizer regex " + regex + ": " + e.getDescription());
        }
    }

    static boolean usesCategories(String regex) {
        for (String[] c : CATEGORIES) if (regex.contains(c[0])) return true;
        return false;
    }

    /** Rewrites each \p{..} class to marker + ASCII members, inside an existing [...] or in a new one. */
    static String collapse(String regex) {
        StringBuilder sb = new StringBuilder();
        boolean inside = false;
        for (int i = 0; i < regex.length(); i++) {
            char c = regex.charAt(i);
            if (c > 0x7F) throw new TokenizerException("pre-tokenizer regex mixes \\p{..} and non-ASCII: " + regex);
            if (c == '[' && (i == 0 || regex.charAt(i - 1) != '\\')) {
                sb.append('[');
                inside = true;
                continue;
            }
            if (inside && c == ']' && regex.charAt(i - 1) != '\\') {
                sb.append(']');
                inside = false;
                continue;
            }
            if (c == '\\' && i + 3 < regex.length() && regex.charAt(i + 1) == 'p' && regex.charAt(i + 2) == '{') {
                int close = regex.indexOf('}', i + 3);
                if (close >= 0 && close <= i + 10) {
                    String pat = regex.substring(i, close + 1);
                    String[] cat = find(pat);
                    if (cat != null) {
                        if (!inside) sb.append('[');
                        sb.append(cat[1]).append(cat[2]);
                        if (!inside) sb.append(']');
                        i = close;
                        continue;
                    }
                }
            }
            sb.append(c);
        }
        return sb.toString();
    }

    private static String[] find(String pat) {
        for (String[] c : CATEGORIES) if (c[0].equals(pat)) return c;
        return null;
    }

    /** ECMAScript '$' (no multiline) is end of input; Java's '$' also matches before a final newline. */
    static String anchorEnd(String regex) {
        StringBuilder sb = new StringBuilder(regex.length() + 4);
        boolean inside = false;
        for (int i = 0; i < regex.length(); i++) {
            char c = regex.charAt(i);
            if (c == '\\' && i + 1 < regex.length()) {
                sb.append(c).append(regex.charAt(++i));
                continue;
            }
            if (c == '[') inside = true;
            else if (c == ']') inside = false;
            if (c == '$' && !inside) sb.append("\\z");
            else sb.append(c);
        }
        return sb.toString();
    }

    @Override
    public IntList apply(SplitText text, IntList lengths) {
        String s = collapsed ? text.collapsed() : text.wide();
        Matcher m = pattern.matcher(s);
        IntList out = new IntList(lengths.size() * 4 + 4);
        int start = 0;
        for (int k = 0; k < lengths.size(); k++) {
            int end = start + lengths.get(k);
            int last = start;
            if (collapsed) m.region(start, end);
            else m.region(text.wideIndex(start), text.wideIndex(end));
            while (m.find()) {
                int ms = collapsed ? m.start() : text.cpIndex(m.start());
                int me = collapsed ? m.end() : text.cpIndex(m.end());
                if (ms > last) out.add(ms - last);
                out.add(me - ms);
                last = me;
            }
            if (last < end) out.add(end - last);
            start = end;
        }
        return out;
    }

    @Override
    public String toString() { return source; }
}
