package dev.shovel.grammar;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/** Canonical JSON text (compact, shortest escapes) and the GBNF of JSON-escaped characters. */
final class JsonText {
    /** Characters a JSON string cannot hold raw. */
    static final int[] MUST_ESCAPE = Ranges.of(0, 0x1F, '"', '"', '\\', '\\');

    private JsonText() {}

    /** The canonical JSON string literal of {@code s}, quotes included. */
    static String quote(String s) {
        StringBuilder sb = new StringBuilder("\"");
        s.codePoints().forEach(cp -> sb.append(escape(cp)));
        return sb.append('"').toString();
    }

    /** How a JSON string writes one code point: itself, or its shortest escape. */
    static String escape(int cp) {
        return switch (cp) {
            case '"' -> "\\\"";
            case '\\' -> "\\\\";
            case '\b' -> "\\b";
            case '\f' -> "\\f";
            case '\n' -> "\\n";
            case '\r' -> "\\r";
            case '\t' -> "\\t";
            default -> cp < 0x20 ? String.format("\\u%04x", cp) : new String(Character.toChars(cp));
        };
    }

    /** Compact JSON text of a value, members in their given order. */
    static String canonical(JsonNode v) {
        StringBuilder sb = new StringBuilder();
        write(v, sb);
        return sb.toString();
    }

    private static void write(JsonNode v, StringBuilder sb) {
        if (v.isObject()) {
            sb.append('{');
            boolean first = true;
            for (Iterator<Map.Entry<String, JsonNode>> it = v.properties().iterator(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (!first) sb.append(',');
                first = false;
                sb.append(quote(e.getKey())).append(':');
                write(e.getValue(), sb);
            }
            sb.append('}');
        } else if (v.isArray()) {
            sb.append('[');
            for (int i = 0; i < v.size(); i++) {
                if (i > 0) sb.append(',');
                write(v.get(i), sb);
            }
            sb.append(']');
        } else if (v.isTextual()) {
            sb.append(quote(v.textValue()));
        } else if (v.isNumber()) {
            sb.append(v.isBigDecimal() ? v.decimalValue().toString() : v.asText());
        } else {
            sb.append(v.asText()); // true, false, null
        }
    }

    /**
     * A GBNF atom matching the canonical JSON encoding of any one character of {@code set}: a class for the ones
     * written raw, literals for the escaped ones. {@code null} when the set is empty.
     */
    static String charsIn(int[] set) {
        List<String> alts = new ArrayList<>();
        int[] raw = Ranges.minus(set, MUST_ESCAPE);
        if (!Ranges.isEmpty(raw)) alts.add(GbnfWriter.charClass(raw));
        int[] esc = Ranges.minus(set, raw);
        List<String> hex = new ArrayList<>(); // the backslash-u-00XX escapes, factored by their third digit
        for (int high = 0; high < 2; high++) {
            StringBuilder low = new StringBuilder();
            for (int i = 0; i < esc.length; i += 2) {
                for (int cp = esc[i]; cp <= esc[i + 1]; cp++) {
                    String e = escape(cp);
                    if (!e.startsWith("\\u")) {
                        if (high == 0) alts.add(GbnfWriter.literal(e));
                    } else if (cp >> 4 == high) low.append(e.charAt(5));
                }
            }
            if (!low.isEmpty()) hex.add("\"" + high + "\" " + (low.length() == 1 ? "\"" + low + "\"" : "[" + low + "]"));
        }
        if (!hex.isEmpty()) alts.add("\"\\\\u00\" " + (hex.size() == 1 ? hex.get(0) : "( " + String.join(" | ", hex) + " )"));
        if (alts.isEmpty()) return null;
        return alts.size() == 1 ? alts.get(0) : "( " + String.join(" | ", alts) + " )";
    }
}
