package dev.shovel.chat;

import java.util.List;
import java.util.Map;

/**
 * {@code tojson} as transformers defines it: Python {@code json.dumps(x, ensure_ascii=False, indent=indent,
 * separators=None, sort_keys=False)}, i.e. separators {@code ", "} and {@code ": "} (item separator {@code ","} when
 * indented), keys in insertion order, non-ASCII kept, no HTML escaping.
 */
final class Json {
    /** indent: null for one line, else the string put once per nesting level. */
    record Options(String indent, String itemSep, String keySep, boolean sortKeys, boolean ensureAscii) { }

    private final Options o;
    private final Budget budget = Budget.current();

    private Json(Options o) {
        this.o = o;
    }

    static String dumps(Object value, String indent) {
        return dumps(value, new Options(indent, indent == null ? ", " : ",", ": ", false, false));
    }

    static String dumps(Object value, Options options) {
        StringBuilder sb = new StringBuilder();
        new Json(options).write(sb, value, 0);
        return Budget.string(sb.toString());
    }

    /** Within the depth limit (a list may hold itself) and the string limit (shared items repeat). */
    private void write(StringBuilder sb, Object v, int depth) {
        budget.step();
        Budget.building(sb);
        if (!(v instanceof List || v instanceof Map)) {
            writeFlat(sb, v);
            return;
        }
        budget.enter();
        try {
            writeContainer(sb, v, depth);
        } finally {
            budget.exit();
        }
    }

    private void writeContainer(StringBuilder sb, Object v, int depth) {
        switch (v) {
            case Map<?, ?> m -> {
                if (m.isEmpty()) {
                    sb.append("{}");
                    return;
                }
                sb.append('{');
                boolean first = true;
                List<Map.Entry<?, ?>> entries = new java.util.ArrayList<>(m.entrySet());
                if (o.sortKeys()) {
                    try {
                        entries.sort((x, y) -> Py.compare(x.getKey(), y.getKey(), "<"));
                    } catch (IllegalArgumentException e) { // TimSort saw an inconsistent order
                        throw new JinjaError("tojson: the keys have no consistent order");
                    }
                }
                for (var e : entries) {
                    separator(sb, first, depth + 1);
                    first = false;
                    string(sb, key(e.getKey()), o.ensureAscii());
                    sb.append(o.keySep());
                    write(sb, e.getValue(), depth + 1);
                }
                close(sb, depth);
                sb.append('}');
            }
            case List<?> l -> {
                if (l.isEmpty()) {
                    sb.append("[]");
                    return;
                }
                sb.append('[');
                for (int i = 0; i < l.size(); i++) {
                    separator(sb, i == 0, depth + 1);
                    write(sb, l.get(i), depth + 1);
                }
                close(sb, depth);
                sb.append(']');
            }
            default -> throw new IllegalStateException();
        }
    }

    private void writeFlat(StringBuilder sb, Object v) {
        switch (v) {
            case null -> sb.append("null");
            case String s -> string(sb, s, o.ensureAscii());
            case Boolean b -> sb.append(b ? "true" : "false");
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

    private void separator(StringBuilder sb, boolean first, int depth) {
        if (!first) sb.append(o.itemSep());
        close(sb, depth);
    }

    private void close(StringBuilder sb, int depth) {
        if (o.indent() == null) return;
        Budget.fits(sb.length() + 1L + (long) o.indent().length() * depth);
        sb.append('\n').append(o.indent().repeat(depth));
    }

    static void string(StringBuilder sb, String s, boolean ensureAscii) {
        Budget.fits(sb.length() + (long) s.length());
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
                    if (c < 0x20 || (ensureAscii && c > 0x7e)) sb.append(String.format("\\u%04x", (int) c));
                    else sb.append(c);
                }
            }
        }
        sb.append('"');
        Budget.building(sb);
    }
}
