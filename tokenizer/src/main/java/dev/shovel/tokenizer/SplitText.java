package dev.shovel.tokenizer;

/**
 * One fragment of text being pre-tokenized: its code points plus lazily built views for the regex steps
 * (llama.cpp's "collapsed" one-char-per-code-point text and its wide text with non-ASCII spaces as U+000B).
 */
final class SplitText {
    final int[] cps;
    private String collapsed;
    private String wide;
    private int[] cpToChar;   // null when every code point is one char
    private int[] charToCp;

    SplitText(String text) {
        this.cps = text.codePoints().toArray();
    }

    int length() { return cps.length; }

    /** Flags of the code point at pos, or 0 outside [ini, end) (llama.cpp's out-of-range flags). */
    int flagsAt(int pos, int ini, int end) {
        return pos >= ini && pos < end ? Unicode.flags(cps[pos]) : 0;
    }

    /** The code point at pos, or -1 outside [ini, end). */
    int cpAt(int pos, int ini, int end) {
        return pos >= ini && pos < end ? cps[pos] : -1;
    }

    /** Each code point as one char: ASCII kept, other whitespace U+000B, else a category marker U+00D0..U+00D5. */
    String collapsed() {
        if (collapsed == null) {
            char[] c = new char[cps.length];
            for (int i = 0; i < cps.length; i++) c[i] = collapse(cps[i]);
            collapsed = new String(c);
        }
        return collapsed;
    }

    static char collapse(int cp) {
        if (cp < 128) return (char) cp;
        int f = Unicode.flags(cp);
        if ((f & Unicode.WHITESPACE) != 0) return '\u000B';
        return switch (f & Unicode.CATEGORIES) {
            case Unicode.NUMBER -> '\u00D1';
            case Unicode.LETTER -> '\u00D2';
            case Unicode.PUNCTUATION -> '\u00D3';
            case Unicode.ACCENT_MARK -> '\u00D4';
            case Unicode.SYMBOL -> '\u00D5';
            default -> '\u00D0';
        };
    }

    /** The text itself with non-ASCII whitespace replaced by U+000B (std::wregex's \s is ASCII only). */
    String wide() {
        if (wide == null) {
            StringBuilder sb = new StringBuilder(cps.length + 8);
            boolean supplementary = false;
            for (int cp : cps) {
                if (cp > 0x7F && Unicode.isWhitespace(cp)) cp = 0x0B;
                if (cp >= 0x10000) supplementary = true;
                sb.appendCodePoint(cp);
            }
            wide = sb.toString();
            if (supplementary) {
                cpToChar = new int[cps.length + 1];
                charToCp = new int[wide.length() + 1];
                int ch = 0;
                for (int i = 0; i < cps.length; i++) {
                    cpToChar[i] = ch;
                    charToCp[ch] = i;   // matches start and end on code point boundaries only
                    ch += Character.charCount(cps[i]);
                }
                cpToChar[cps.length] = ch;
                charToCp[ch] = cps.length;
            }
        }
        return wide;
    }

    int wideIndex(int cp) { return cpToChar == null ? cp : cpToChar[cp]; }

    int cpIndex(int wideIndex) { return charToCp == null ? wideIndex : charToCp[wideIndex]; }
}
