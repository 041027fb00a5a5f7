package dev.shovel.chat;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Python {@code "%s" % args} and {@code "{}".format(...)} for the common conversions. */
final class Format {
    private Format() { }

    static String percent(String fmt, Object arg) {
        List<?> args = arg instanceof PyTuple t ? t : Arrays.asList(arg);
        Map<?, ?> named = arg instanceof Map<?, ?> m ? m : null;
        StringBuilder sb = new StringBuilder();
        int next = 0;
        int i = 0;
        while (i < fmt.length()) {
            char c = fmt.charAt(i++);
            if (c != '%') {
                sb.append(c);
                continue;
            }
            if (i >= fmt.length()) throw new JinjaError("incomplete format");
            Object value = null;
            boolean haveValue = false;
            if (fmt.charAt(i) == '(') {
                int close = fmt.indexOf(')', i);
                if (close < 0 || named == null) throw new JinjaError("format requires a mapping");
                value = Py.getItem(named, fmt.substring(i + 1, close));
                haveValue = true;
                i = close + 1;
            }
            int specStart = i;
            while (i < fmt.length() && "-+ #0".indexOf(fmt.charAt(i)) >= 0) i++;
            String flags = fmt.substring(specStart, i);
            int w = i;
            while (i < fmt.length() && Character.isDigit(fmt.charAt(i))) i++;
            int width = i > w ? size(fmt.substring(w, i)) : -1;
            int precision = -1;
            if (i < fmt.length() && fmt.charAt(i) == '.') {
                int p = ++i;
                while (i < fmt.length() && Character.isDigit(fmt.charAt(i))) i++;
                precision = i > p ? size(fmt.substring(p, i)) : 0;
            }
            if (i >= fmt.length()) throw new JinjaError("incomplete format");
            char conv = fmt.charAt(i++);
            if (conv == '%') {
                sb.append('%');
                continue;
            }
            if (!haveValue) {
                if (named != null) value = named;
                else if (next < args.size()) value = args.get(next++);
                else throw new JinjaError("not enough arguments for format string");
            }
            String align = flags.contains("-") ? "<" : flags.contains("0") && conv != 's' && conv != 'r' ? "=" : ">";
            String sign = flags.contains("+") ? "+" : flags.contains(" ") ? " " : "";
            String body = convert(value, conv == 'i' || conv == 'u' ? 'd' : conv, precision, sign);
            sb.append(pad(body, width, align, align.equals("=") ? '0' : ' '));
            Budget.building(sb);
        }
        if (named == null && next < args.size()) {
            throw new JinjaError("not all arguments converted during string formatting");
        }
        return Budget.string(sb.toString());
    }

    /** Python {@code str.format}: {@code {}}, {@code {0}}, {@code {name}}, optional {@code !r/!s} and a format spec. */
    static String format(String fmt, List<Object> args, Map<String, Object> kwargs) {
        StringBuilder sb = new StringBuilder();
        int auto = 0;
        int i = 0;
        while (i < fmt.length()) {
            char c = fmt.charAt(i);
            if (c == '{' && i + 1 < fmt.length() && fmt.charAt(i + 1) == '{') {
                sb.append('{');
                i += 2;
            } else if (c == '}' && i + 1 < fmt.length() && fmt.charAt(i + 1) == '}') {
                sb.append('}');
                i += 2;
            } else if (c == '{') {
                int close = fmt.indexOf('}', i);
                if (close < 0) throw new JinjaError("Single '{' encountered in format string");
                String field = fmt.substring(i + 1, close);
                String spec = "";
                int colon = field.indexOf(':');
                if (colon >= 0) {
                    spec = field.substring(colon + 1);
                    field = field.substring(0, colon);
                }
                char conv = 0;
                int bang = field.indexOf('!');
                if (bang >= 0) {
                    conv = field.length() > bang + 1 ? field.charAt(bang + 1) : 's';
                    field = field.substring(0, bang);
                }
                Object value;
                if (field.isEmpty()) value = arg(args, auto++);
                else if (field.chars().allMatch(d -> d >= '0' && d <= '9')) value = arg(args, size(field));
                else if (kwargs.containsKey(field)) value = kwargs.get(field);
                else throw new JinjaError("KeyError: '" + field + "'");
                if (conv == 'r') value = PyStr.repr(value);
                else if (conv == 's') value = PyStr.str(value);
                sb.append(spec(value, spec));
                Budget.building(sb);
                i = close + 1;
            } else if (c == '}') {
                throw new JinjaError("Single '}' encountered in format string");
            } else {
                sb.append(c);
                i++;
            }
        }
        return Budget.string(sb.toString());
    }

    /** A width, precision or index: digits, at most the string limit (larger ones could only fail later). */
    private static int size(String digits) {
        if (digits.length() > 9 || Integer.parseInt(digits) > TemplateLimits.MAX_STRING_CHARS) {
            Budget.fits(digits.length() > 18 ? Long.MAX_VALUE : Long.parseLong(digits));
        }
        return Integer.parseInt(digits);
    }

    private static Object arg(List<Object> args, int index) {
        if (index >= args.size()) throw new JinjaError("Replacement index " + index + " out of range for positional args tuple");
        return args.get(index);
    }

    /** Format spec mini-language: {@code [[fill]align][sign][0][width][.precision][type]}. */
    static String spec(Object value, String spec) {
        if (spec.isEmpty()) return PyStr.str(value);
        int i = 0;
        char fill = ' ';
        String align = null;
        if (spec.length() >= 2 && "<>^=".indexOf(spec.charAt(1)) >= 0) {
            fill = spec.charAt(0);
            align = String.valueOf(spec.charAt(1));
            i = 2;
        } else if ("<>^=".indexOf(spec.charAt(0)) >= 0) {
            align = String.valueOf(spec.charAt(0));
            i = 1;
        }
        String sign = "";
        if (i < spec.length() && "+- ".indexOf(spec.charAt(i)) >= 0) sign = spec.substring(i, ++i).replace("-", "");
        if (i < spec.length() && spec.charAt(i) == '0') {
            if (align == null) {
                align = "=";
                fill = '0';
            }
            i++;
        }
        int w = i;
        while (i < spec.length() && Character.isDigit(spec.charAt(i))) i++;
        int width = i > w ? size(spec.substring(w, i)) : -1;
        int precision = -1;
        if (i < spec.length() && spec.charAt(i) == '.') {
            int p = ++i;
            while (i < spec.length() && Character.isDigit(spec.charAt(i))) i++;
            if (i == p) throw new JinjaError("Format specifier missing precision");
            precision = size(spec.substring(p, i));
        }
        char type = i < spec.length() ? spec.charAt(i) : 0;
        if (type == 0) type = value instanceof String ? 's' : Py.isFloat(value) && precision >= 0 ? 'g' : 0;
        String body = type == 0 ? sign + PyStr.str(value) : convert(value, type, precision, sign);
        if (align == null) align = value instanceof String ? "<" : ">";
        return pad(body, width, align, fill);
    }

    private static String convert(Object v, char conv, int precision, String sign) {
        switch (conv) {
            case 's': {
                String s = PyStr.str(v);
                return precision >= 0 && precision < PyStr.length(s) ? Py.slice(s, null, (long) precision, null).toString() : s;
            }
            case 'r':
                return PyStr.repr(v);
            case 'c':
                if (!Py.isInt(v)) return PyStr.str(v);
                long cp = Py.toLong(v);
                if (cp < 0 || cp > Character.MAX_CODE_POINT) throw new JinjaError("%c arg not in range(0x110000)");
                return Character.toString((int) cp);
            default:
                break;
        }
        if (!Py.isNumeric(v)) {
            throw new JinjaError("format requires a number, not " + Py.typeName(v) + " (conversion '" + conv + "')");
        }
        String body;
        boolean negative = Py.toDouble(v) < 0;
        switch (conv) {
            case 'd' -> body = Long.toString(Math.abs(Py.isFloat(v) ? (long) Py.toDouble(v) : Py.toLong(v)));
            case 'x', 'X', 'o', 'b' -> {
                long n = Math.abs(Py.toLong(v));
                body = conv == 'o' ? Long.toOctalString(n) : conv == 'b' ? Long.toBinaryString(n) : Long.toHexString(n);
                if (conv == 'X') body = body.toUpperCase(Locale.ROOT);
            }
            case 'f', 'F', '%' -> {
                double d = Math.abs(Py.toDouble(v)) * (conv == '%' ? 100 : 1);
                body = fixed(d, precision < 0 ? 6 : precision) + (conv == '%' ? "%" : "");
            }
            case 'e', 'E' -> {
                Budget.chars(precision);
                body = String.format(Locale.ROOT, "%." + (precision < 0 ? 6 : precision) + "e", Math.abs(Py.toDouble(v)));
                if (conv == 'E') body = body.toUpperCase(Locale.ROOT);
            }
            case 'g', 'G' -> {
                double d = Math.abs(Py.toDouble(v));
                int p = precision < 0 ? 6 : Math.min(Math.max(precision, 1), 800); // more digits than a double has
                int exp = d == 0 ? 0 : (int) Math.floor(Math.log10(d));
                if (exp < -4 || exp >= p) {
                    body = String.format(Locale.ROOT, "%." + (p - 1) + "e", d).replaceAll("\\.?0+e", "e");
                } else {
                    body = fixed(d, Math.max(p - 1 - exp, 0));
                    if (body.contains(".")) body = body.replaceAll("\\.?0+$", "");
                }
                if (conv == 'G') body = body.toUpperCase(Locale.ROOT);
            }
            default -> throw new JinjaError("unsupported format character '" + conv + "'");
        }
        return (negative ? "-" : sign) + body;
    }

    /** Exact decimal digits; a double has at most 1074 after the point, so past 1100 the rest are zeros. */
    private static String fixed(double d, int precision) {
        if (Double.isNaN(d) || Double.isInfinite(d)) return PyStr.floatRepr(d);
        Budget.chars(precision + 320L);
        if (precision > 1100) return fixed(d, 1100) + "0".repeat(precision - 1100);
        return new BigDecimal(d).setScale(precision, RoundingMode.HALF_EVEN).toPlainString();
    }

    private static String pad(String body, int width, String align, char fill) {
        int len = PyStr.length(body);
        if (width <= len) return body;
        Budget.chars(width + (long) body.length());
        String f = String.valueOf(fill).repeat(width - len);
        return switch (align) {
            case "<" -> body + f;
            case "^" -> f.substring(0, (width - len) / 2) + body + f.substring((width - len) / 2);
            case "=" -> {
                int signLen = !body.isEmpty() && "+- ".indexOf(body.charAt(0)) >= 0 ? 1 : 0;
                yield body.substring(0, signLen) + f + body.substring(signLen);
            }
            default -> f + body;
        };
    }
}
