package dev.shovel.chat;

import java.util.List;
import java.util.Map;

/**
 * {@code tojson} as transformers defines it: Python {@code json.dumps(x, ensure_ascii=False, indent=indent)}, i.e.
 * separators {@code ", "} and {@code ": "} (item separator {@code ","} when indented), keys in insertion order,
 * non-ASCII kept, no HTML escaping.
 */
final class Json {
    private Json() { }

    /** indent: null for one line, else the string put once per nesting level. */
    static String dumps(Object value, String indent) {
        StringBuilder sb = new StringBuilder();
        write(sb, value, indent, 0);
        return sb.toString();
    }

    private static void write(StringBuilder sb, Object v, String indent, int depth) {
        switch (v) {
            case null -> sb.append("null");
            case String s -> string(sb, s);
            case Boolean b -> sb.append(b ? "true" : "false");
            case Map<?, ?> m -> {
                if (m.isEmpty()) {
                    sb.append("{}");
                    return;
                }
                sb.append('{');
                boolean first = true;
                for (var e : m.entrySet()) {
                    separator(sb, first, indent, depth + 1);
                    first = false;
                    string(sb, key(e.getKey()));
                    sb.append(": ");
                    write(sb, e.getValue(), indent, depth + 1);
                }
                close(sb, indent, depth);
                sb.append('}');
            }
            case List<?> l -> {
                if (l.isEmpty()) {
                    sb.append("[]");
                    return;
                }
                sb.append('[');
                for (int i = 0; i < l.size(); i++) {
                    separator(sb, i == 0, indent, depth + 1);
                    write(sb, l.get(i), indent, depth + 1);
                }
                close(sb, indent, depth);
                sb.append(']');
            }
            default -> {
                if (Py.isInt(v)) {
                    sb.append(v);
                } else if (Py.isFloat(v)) {
                    double d = Py.toDouble(v);
                    sb.append(Double.isNaN(d) ? "NaN" : Double.isInfinite(d) ? (d > 0 ? "Infinity" : "-Infinity")
                            : PyStr.floatRepr(d));
                } else {
                    throw new JinjaError("Object of type " + Py.typeName(v) + " is not JSON serializable");
                }
            }
        }
    }

    private static String key(Object k) {
        return switch (k) {
            case String s -> s;
            case null -> "null";
            case Boolean b -> b ? "true" : "false";
            default -> {
                if (Py.isInt(k) || Py.isFloat(k)) yield PyStr.str(k);
                throw new JinjaError("keys must be str, int, float, bool or None, not " + Py.typeName(k));
            }
        };
    }

    private static void separator(StringBuilder sb, boolean first, String indent, int depth) {
        if (indent == null) {
            if (!first) sb.append(", ");
        } else {
            if (!first) sb.append(',');
            sb.append('\n').append(indent.repeat(depth));
        }
    }

    private static void close(StringBuilder sb, String indent, int depth) {
        if (indent != null) sb.append('\n').append(indent.repeat(depth));
    }

    static void string(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                case '\b' -> sb.append("\\b");
                case '\f' -> sb.append("\\f");
                default -> {
                    if (c < 0x20) sb.append(String.format("\\u%04x", (int) c));
                    else sb.append(c);
                }
            }
        }
        sb.append('"');
    }
}
