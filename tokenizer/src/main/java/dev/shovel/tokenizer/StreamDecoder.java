package dev.shovel.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Turns generated tokens into text one token at a time, as llama.cpp's examples print them (each token's
 * piece, no clean-up passes), holding back the bytes of a UTF-8 character until it is complete so a
 * character split across byte tokens is never emitted in halves. Not thread-safe.
 */
public final class StreamDecoder {
    private final Tokenizer tokenizer;
    private final boolean special;
    private byte[] pending = new byte[16];
    private int n;

    /** @param special render control tokens' text (llama_token_to_piece's special flag) */
    public StreamDecoder(Tokenizer tokenizer, boolean special) {
        this.tokenizer = tokenizer;
        this.special = special;
    }

    /** Adds one token; returns the text that is now complete (possibly empty). */
    public String push(int id) {
        byte[] p = tokenizer.piece(id, special);
        if (n + p.length > pending.length) pending = Arrays.copyOf(pending, Math.max(pending.length * 2, n + p.length));
        System.arraycopy(p, 0, pending, n, p.length);
        n += p.length;
        int cut = completePrefix(pending, n);
        String s = new String(pending, 0, cut, StandardCharsets.UTF_8);
        System.arraycopy(pending, cut, pending, 0, n - cut);
        n -= cut;
        return s;
    }

    /** Returns whatever is still held back (an unfinished character decodes as U+FFFD) and resets. */
    public String flush() {
        String s = new String(pending, 0, n, StandardCharsets.UTF_8);
        n = 0;
        return s;
    }

    /** Length of the longest prefix that does not end inside an unfinished UTF-8 sequence. */
    static int completePrefix(byte[] b, int len) {
        for (int back = 1; back <= Math.min(4, len); back++) {
            int c = b[len - back] & 0xFF;
            if ((c & 0xC0) == 0x80) continue;          // continuation byte: keep looking for the lead
            int need = c < 0xC0 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : c < 0xF8 ? 4 : 1;
            return need > back ? len - back : len;
        }
        return len;
    }
}
