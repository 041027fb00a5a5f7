package dev.shovel.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** GPT-2's reversible byte-to-unicode map: printable Latin-1 bytes map to themselves, the rest to U+0100.. */
final class ByteLevel {
    /** BYTE_TO_CHAR[b] is the character that stands for byte b. */
    static final char[] BYTE_TO_CHAR = new char[256];
    /** CHAR_TO_BYTE[c] is the byte for character c, or -1. */
    static final int[] CHAR_TO_BYTE = new int[0x144];

    static {
        Arrays.fill(CHAR_TO_BYTE, -1);
        boolean[] direct = new boolean[256];
        for (int b = 0x21; b <= 0x7E; b++) direct[b] = true;
        for (int b = 0xA1; b <= 0xAC; b++) direct[b] = true;
        for (int b = 0xAE; b <= 0xFF; b++) direct[b] = true;
        int n = 0;
        for (int b = 0; b < 256; b++) {
            char c = direct[b] ? (char) b : (char) (256 + n++);
            BYTE_TO_CHAR[b] = c;
            CHAR_TO_BYTE[c] = b;
        }
    }

    private ByteLevel() {}

    /** Byte-encodes the UTF-8 form of code points cps[from, to). */
    static String encode(int[] cps, int from, int to) {
        char[] out = new char[(to - from) * 4];
        int n = 0;
        for (int i = from; i < to; i++) {
            int cp = cps[i];
            if (cp < 0x80) {
                out[n++] = BYTE_TO_CHAR[cp];
            } else if (cp < 0x800) {
                out[n++] = BYTE_TO_CHAR[0xC0 | (cp >> 6)];
                out[n++] = BYTE_TO_CHAR[0x80 | (cp & 0x3F)];
            } else if (cp < 0x10000) {
                out[n++] = BYTE_TO_CHAR[0xE0 | (cp >> 12)];
                out[n++] = BYTE_TO_CHAR[0x80 | ((cp >> 6) & 0x3F)];
                out[n++] = BYTE_TO_CHAR[0x80 | (cp & 0x3F)];
            } else {
                out[n++] = BYTE_TO_CHAR[0xF0 | (cp >> 18)];
                out[n++] = BYTE_TO_CHAR[0x80 | ((cp >> 12) & 0x3F)];
                out[n++] = BYTE_TO_CHAR[0x80 | ((cp >> 6) & 0x3F)];
                out[n++] = BYTE_TO_CHAR[0x80 | (cp & 0x3F)];
            }
        }
        return new String(out, 0, n);
    }

    /**
     * llama_decode_text: maps each code point of a byte-level token back to its byte; a code point outside
     * the map becomes "[UNK_BYTE_0x..." + hex + token + "]" as llama.cpp writes it.
     */
    static byte[] decode(String token) {
        byte[] out = new byte[token.length()];
        int n = 0;
        for (int i = 0; i < token.length(); ) {
            int cp = token.codePointAt(i);
            i += Character.charCount(cp);
            int b = cp < CHAR_TO_BYTE.length ? CHAR_TO_BYTE[cp] : -1;
            if (b >= 0) {
                if (n == out.length) out = Arrays.copyOf(out, out.length * 2 + 8);
                out[n++] = (byte) b;
            } else {
                StringBuilder sb = new StringBuilder("[UNK_BYTE_0x");
                for (byte x : Character.toString(cp).getBytes(StandardCharsets.UTF_8)) {
                    sb.append(String.format("%02x", x & 0xFF));
                }
                sb.append(token).append(']');
                byte[] extra = sb.toString().getBytes(StandardCharsets.UTF_8);
                if (n + extra.length > out.length) out = Arrays.copyOf(out, n + extra.length + out.length);
                System.arraycopy(extra, 0, out, n, extra.length);
                n += extra.length;
            }
        }
        return Arrays.copyOf(out, n);
    }
}
