package dev.shovel.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * SentencePiece-style merging (llm_tokenizer_spm_session): start from code points, repeatedly merge the
 * adjacent pair whose concatenation is the highest-scoring token (leftmost on ties); symbols that are not
 * tokens fall back to byte tokens &lt;0xXX&gt;.
 */
final class SpmModel {
    private final Map<String, Integer> tokenToId;
    private final float[] scores;
    private final int maxTokenChars;
    private final int[] byteToken = new int[256];
    private final int unk;
    /** No token has U+2581 right after another character: a merge can never cross "x|▁", so cut there. */
    private final boolean cutBeforeSpace;
    private final ConcurrentHashMap<String, int[]> cache = new ConcurrentHashMap<>();
    private static final int CACHE_MAX_PIECE = 32;
    private static final int CACHE_MAX_SIZE = 1 << 16;

    SpmModel(Map<String, Integer> tokenToId, float[] scores, int maxTokenChars, int unk) {
        this.tokenToId = tokenToId;
        this.scores = scores;
        this.maxTokenChars = maxTokenChars;
        this.unk = unk;
        for (int b = 0; b < 256; b++) {
            Integer id = tokenToId.get(String.format("<0x%02X>", b));
            if (id == null && b < 0x80) id = tokenToId.get(String.valueOf((char) b));
            byteToken[b] = id == null ? -1 : id;
        }
        boolean cut = true;
        for (String t : tokenToId.keySet()) {
            for (int i = t.indexOf('\u2581', 1); i > 0 && cut; i = t.indexOf('\u2581', i + 1)) {
                if (t.charAt(i - 1) != '\u2581') cut = false;
            }
            if (!cut) break;
        }
        this.cutBeforeSpace = cut;
    }

    /** llama.cpp's byte_to_token, or -1 when the vocabulary has no token for the byte. */
    int byteToken(int b) { return byteToken[b & 0xFF]; }

    /** Orders by score descending, then left position ascending, as unsigned longs. */
    private static long key(float score, int left) {
        int bits = Float.floatToIntBits(score);
        int ordered = bits ^ ((bits >> 31) & 0x7FFFFFFF);   // signed order == float order
        long desc = ~(ordered ^ 0x80000000) & 0xFFFFFFFFL;
        return (desc << 32) | left;
    }

    /**
     * Appends the tokens of text (spaces already escaped to U+2581). When no token can span a boundary in front
     * of a "▁" the pieces between such boundaries are merged independently (same result, less work, cacheable).
     */
    void encode(String text, IntList out) {
        if (!cutBeforeSpace) {
            encodePiece(text, out);
            return;
        }
        int start = 0;
        for (int i = 1; i <= text.length(); i++) {
            if (i == text.length() || (text.charAt(i) == '\u2581' && text.charAt(i - 1) != '\u2581')) {
                String piece = text.substring(start, i);
                if (piece.length() <= CACHE_MAX_PIECE) {
                    int[] hit = cache.get(piece);
                    if (hit == null) {
                        IntList tmp = new IntList(8);
                        encodePiece(piece, tmp);
                        hit = tmp.toArray();
                        if (cache.size() >= CACHE_MAX_SIZE) cache.clear();
                        cache.put(piece, hit);
                    }
                    out.addAll(hit);
                } else {
                    encodePiece(piece, out);
                }
                start = i;
            }
        }
    }

    /** Merges the whole text as one sequence (llama.cpp's way; {@link #encode} gives the same ids). */
    void encodePiece(String text, IntList out) {
        int n = text.codePointCount(0, text.length());
        if (n == 0) return;
        int[] start = new int[n], end = new int[n], prev = new int[n], next = new int[n];
        for (int i = 0, c = 0; i < n; i++) {
            start[i] = c;
            c += Character.charCount(text.codePointAt(c));
            end[i] = c;
            prev[i] = i - 1;
            next[i] = i + 1 < n ? i + 1 : -1;
        }
        LongHeap heap = new LongHeap();
        for (int i = 1; i < n; i++) push(heap, text, start, end, i - 1, i);
        while (!heap.isEmpty()) {
            long k = heap.pop();
            int left = (int) k;
            if (start[left] < 0) continue;
            int right = next[left];
            if (right < 0) continue;
            Integer id = pairToken(text, start, end, left, right);
            if (id == null || key(scores[id], left) != k) continue;   // outdated entry
            end[left] = end[right];
            start[right] = -1;
            next[left] = next[right];
            if (next[right] >= 0) prev[next[right]] = left;
            push(heap, text, start, end, prev[left], left);
            push(heap, text, start, end, left, next[left]);
        }
        for (int i = 0; i >= 0; i = next[i]) {
            String piece = text.substring(start[i], end[i]);
            Integer id = tokenToId.get(piece);
            if (id != null) {
                out.add(id);
                continue;
            }
            for (byte b : piece.getBytes(StandardCharsets.UTF_8)) {
                int t = byteToken[b & 0xFF] >= 0 ? byteToken[b & 0xFF] : unk;
                if (t < 0) throw new TokenizerException(String.format("vocabulary has no byte token <0x%02X>", b & 0xFF));
                out.add(t);
            }
        }
    }

    private Integer pairToken(String text, int[] start, int[] end, int left, int right) {
        int s = start[left], e = end[right];
        if (e - s > maxTokenChars) return null;
        return tokenToId.get(text.substring(s, e));
    }

    private void push(LongHeap heap, String text, int[] start, int[] end, int left, int right) {
        if (left < 0 || right < 0) return;
        Integer id = pairToken(text, start, end, left, right);
        if (id != null) heap.push(key(scores[id], left));
    }
}
