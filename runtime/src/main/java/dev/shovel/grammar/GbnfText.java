package dev.shovel.grammar;

/** Writing GBNF: literals and character classes with their characters escaped. */
final class GbnfText {
    private GbnfText() {}

    /** A GBNF string literal matching exactly {@code s}. */
    static String literal(String s) {
        StringBuilder b = new StringBuilder("\"");
        s.codePoints().forEach(c -> b.append(escape(c, "\"\\")));
        return b.append('"').toString();
    }

    /** A GBNF class of the given ranges ({@code [lo0, hi0, lo1, hi1, ...]}), negated when asked. */
    static String charClass(int[] ranges, boolean negated) {
        StringBuilder b = new StringBuilder(negated ? "[^" : "[");
        for (int i = 0; i < ranges.length; i += 2) {
            b.append(escape(ranges[i], "]\\^-"));
            if (ranges[i + 1] != ranges[i]) b.append('-').append(escape(ranges[i + 1], "]\\^-"));
        }
        return b.append(']').toString();
    }

    private static String escape(int c, String special) {
        if (c == '\n') return "\\n";
        if (c == '\r') return "\\r";
        if (c == '\t') return "\\t";
        if (c < 0x20 || c == 0x7F) return String.format("\\x%02X", c);
        if (c >= 0x80 && c < 0xA0 || c == 0x2028 || c == 0x2029) return String.format("\\u%04X", c);
        if (special.indexOf(c) >= 0) return "\\" + (char) c;
        return new String(Character.toChars(c));
    }
}
