package dev.shovel.chat;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;

/** Python's str()/repr() of template values, float formatting and code-point string helpers. */
final class PyStr {
    private PyStr() { }

    /** Python {@code str.isspace} for one code point. */
    static boolean isSpace(int c) {
        return Character.isWhitespace(c) || c == 0x85 || c == 0xA0 || c == 0x2007 || c == 0x202F;
    }

    static String str(Object v) {
        return switch (v) {
            case null -> "None";
            case String s -> s;
            case Boolean b -> b ? "True" : "False";
            case Double d -> floatRepr(d);
            case Float f -> floatRepr(f);
            case BigDecimal d -> floatRepr(d.doubleValue());
            case Number n -> n.toString();
            case Undefined u -> "";
            case List<?> l -> repr(l);
            case Map<?, ?> m -> repr(m);
            default -> v.toString();
        };
    }

    /** Python repr; of a container within the string and depth limits (a list may even hold itself). */
    static String repr(Object v) {
        if (!(v instanceof List || v instanceof Map)) return reprFlat(v);
        StringBuilder sb = new StringBuilder();
        repr(sb, v, Budget.current());
        return Budget.string(sb.toString());
    }

    private static void repr(StringBuilder sb, Object v, Budget budget) {
        if (!(v instanceof List || v instanceof Map)) {
            sb.append(reprFlat(v));
            Budget.building(sb);
            return;
        }
        budget.enter();
        try {
            budget.step();
            if (v instanceof Map<?, ?> m) {
                sb.append('{');
                String sep = "";
                for (var e : m.entrySet()) {
                    sb.append(sep);
                    repr(sb, e.getKey(), budget);
                    sb.append(": ");
                    repr(sb, e.getValue(), budget);
                    sep = ", ";
                }
                sb.append('}');
                return;
            }
            List<?> l = (List<?>) v;
            sb.append(l instanceof PyTuple ? "(" : "[");
            for (int i = 0; i < l.size(); i++) {
                if (i > 0) sb.append(", ");
                repr(sb, l.get(i), budget);
            }
            sb.append(l instanceof PyTuple ? (l.size() == 1 ? ",)" : ")") : "]");
        } finally {
            budget.exit();
        }
    }

    private static String reprFlat(Object v) {
        return switch (v) {
            case String s -> reprString(s);
            case Undefined u -> "Undefined";
            case null, default -> str(v);
        };
    }

    static String reprString(String s) {
        char quote = s.indexOf('\'') >= 0 && s.indexOf('"') < 0 ? '"' : '\'';
        Budget.current().work(s.length());
        StringBuilder sb = new StringBuilder().append(quote);
        s.codePoints().forEach(c -> {
            if (c == '\\' || c == quote) sb.append('\\').appendCodePoint(c);
            else if (c == '\n') sb.append("\\n");
            else if (c == '\r') sb.append("\\r");
            else if (c == '\t') sb.append("\\t");
            else if (!isPrintable(c)) {
                if (c < 0x100) sb.append(String.format("\\x%02x", c));
                else if (c < 0x10000) sb.append(String.format("\\u%04x", c));
                else sb.append(String.format("\\U%08x", c));
            } else sb.appendCodePoint(c);
        });
        return sb.append(quote).toString();
    }

    /** Python {@code str.isprintable}: not Cc, Cf, Cs, Co, Cn, Zl, Zp, or Zs other than space. */
    static boolean isPrintable(int c) {
        if (c == ' ') return true;
        return switch (Character.getType(c)) {
            case Character.CONTROL, Character.FORMAT, Character.SURROGATE, Character.PRIVATE_USE,
                 Character.UNASSIGNED, Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR,
                 Character.SPACE_SEPARATOR -> false;
            default -> true;
        };
    }

    /** Python {@code repr(float)}: shortest round-trip digits, exponent form below 1e-4 and from 1e16. */
    static String floatRepr(double d) {
        if (Double.isNaN(d)) return "nan";
        if (Double.isInfinite(d)) return d > 0 ? "inf" : "-inf";
        if (d == 0) return 1 / d < 0 ? "-0.0" : "0.0";
        String sign = d < 0 ? "-" : "";
        BigDecimal bd = new BigDecimal(Double.toString(Math.abs(d))).stripTrailingZeros();
        String digits = bd.unscaledValue().toString();
        int exp = digits.length() - 1 - bd.scale();
        StringBuilder sb = new StringBuilder(sign);
        if (exp >= -4 && exp < 16) {
            if (exp >= 0) {
                if (digits.length() <= exp + 1) {
                    sb.append(digits).append("0".repeat(exp + 1 - digits.length())).append(".0");
                } else {
                    sb.append(digits, 0, exp + 1).append('.').append(digits, exp + 1, digits.length());
                }
            } else {
                sb.append("0.").append("0".repeat(-exp - 1)).append(digits);
            }
        } else {
            sb.append(digits.charAt(0));
            if (digits.length() > 1) sb.append('.').append(digits, 1, digits.length());
            sb.append('e').append(exp < 0 ? '-' : '+');
            int a = Math.abs(exp);
            if (a < 10) sb.append('0');
            sb.append(a);
        }
        return sb.toString();
    }

    // ---- code points ----

    static int[] codePoints(String s) {
        Budget.current().work(s.length());
        return s.codePoints().toArray();
    }

    static String fromCodePoints(int[] cps, int from, int to) {
        return new String(cps, from, to - from);
    }

    static int length(String s) {
        return s.codePointCount(0, s.length());
    }

    // ---- strip ----

    static String strip(String s, String chars) {
        return rstrip(lstrip(s, chars), chars);
    }

    static String lstrip(String s, String chars) {
        int i = 0;
        while (i < s.length()) {
            int c = s.codePointAt(i);
            if (!stripped(c, chars)) break;
            i += Character.charCount(c);
        }
        return s.substring(i);
    }

    static String rstrip(String s, String chars) {
        int i = s.length();
        while (i > 0) {
            int c = s.codePointBefore(i);
            if (!stripped(c, chars)) break;
            i -= Character.charCount(c);
        }
        return s.substring(0, i);
    }

    private static boolean stripped(int c, String chars) {
        if (chars == null) return isSpace(c);
        Budget.current().work(chars.length());
        return chars.indexOf(c) >= 0;
    }
}
