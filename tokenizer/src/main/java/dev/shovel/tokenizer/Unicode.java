package dev.shovel.tokenizer;

import java.text.Normalizer;

/**
 * Code point classes as llama.cpp's unicode.cpp sees them: one general-category flag per code point (from the
 * Unicode data), the PropList White_Space set, simple lowercase mapping, and the first code point of NFD.
 */
final class Unicode {
    static final int UNDEFINED = 0x0001;
    static final int NUMBER = 0x0002;
    static final int LETTER = 0x0004;
    static final int SEPARATOR = 0x0008;
    static final int ACCENT_MARK = 0x0010;
    static final int PUNCTUATION = 0x0020;
    static final int SYMBOL = 0x0040;
    static final int CONTROL = 0x0080;
    static final int CATEGORIES = 0x00FF;
    static final int WHITESPACE = 0x0100;

    static final int MAX_CODEPOINTS = 0x110000;

    private static final short[] FLAGS = buildFlags();

    private Unicode() {}

    private static short[] buildFlags() {
        short[] f = new short[MAX_CODEPOINTS];
        for (int cp = 0; cp < MAX_CODEPOINTS; cp++) f[cp] = (short) categoryFlag(Character.getType(cp));
        int[] ws = {0x20, 0x85, 0xA0, 0x1680, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000};
        for (int cp : ws) f[cp] |= WHITESPACE;
        for (int cp = 0x09; cp <= 0x0D; cp++) f[cp] |= WHITESPACE;
        for (int cp = 0x2000; cp <= 0x200A; cp++) f[cp] |= WHITESPACE;
        return f;
    }

    private static int categoryFlag(int type) {
        return switch (type) {
            case Character.UPPERCASE_LETTER, Character.LOWERCASE_LETTER, Character.TITLECASE_LETTER,
                 Character.MODIFIER_LETTER, Character.OTHER_LETTER -> LETTER;
            case Character.NON_SPACING_MARK, Character.ENCLOSING_MARK, Character.COMBINING_SPACING_MARK -> ACCENT_MARK;
            case Character.DECIMAL_DIGIT_NUMBER, Character.LETTER_NUMBER, Character.OTHER_NUMBER -> NUMBER;
            case Character.SPACE_SEPARATOR, Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR -> SEPARATOR;
            case Character.CONTROL, Character.FORMAT, Character.PRIVATE_USE, Character.SURROGATE -> CONTROL;
            case Character.DASH_PUNCTUATION, Character.START_PUNCTUATION, Character.END_PUNCTUATION,
                 Character.CONNECTOR_PUNCTUATION, Character.OTHER_PUNCTUATION,
                 Character.INITIAL_QUOTE_PUNCTUATION, Character.FINAL_QUOTE_PUNCTUATION -> PUNCTUATION;
            case Character.MATH_SYMBOL, Character.CURRENCY_SYMBOL, Character.MODIFIER_SYMBOL,
                 Character.OTHER_SYMBOL -> SYMBOL;
            default -> UNDEFINED;
        };
    }

    /** Flags of a code point; code points beyond U+10FFFF are UNDEFINED (as llama.cpp). */
    static int flags(int cp) {
        return cp >= 0 && cp < MAX_CODEPOINTS ? FLAGS[cp] : UNDEFINED;
    }

    static boolean isWhitespace(int cp) { return (flags(cp) & WHITESPACE) != 0; }

    static int toLower(int cp) { return Character.toLowerCase(cp); }

    /** First code point of the canonical decomposition (llama.cpp keeps only that one). */
    static int nfdFirst(int cp) {
        if (cp < 0xC0) return cp;
        String n = Normalizer.normalize(Character.toString(cp), Normalizer.Form.NFD);
        return n.codePointAt(0);
    }

    /** C isspace() in the "C" locale. */
    static boolean isCSpace(char c) {
        return c == ' ' || (c >= '\t' && c <= '\r');
    }

    /** UTF-8 length of s as String.getBytes(UTF_8) encodes it (a lone surrogate becomes one '?' byte). */
    static int utf8Length(String s) {
        int n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                n++;
            } else if (c < 0x800) {
                n += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                n += 4;
                i++;
            } else if (Character.isSurrogate(c)) {
                n++;
            } else {
                n += 3;
            }
        }
        return n;
    }

    /** Whether s has no lone surrogates. */
    static boolean isWellFormed(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!Character.isSurrogate(c)) continue;
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) i++;
            else return false;
        }
        return true;
    }

    /** s with each lone surrogate replaced by U+FFFD (what encoding it to UTF-8 would mean), or s itself. */
    static String wellFormed(String s) {
        if (isWellFormed(s)) return s;
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                sb.append(c).append(s.charAt(++i));
            } else {
                sb.append(Character.isSurrogate(c) ? '\uFFFD' : c);
            }
        }
        return sb.toString();
    }
}
