package dev.shovel.gen;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Consumer;

/**
 * Turns token bytes into streamed text: only whole UTF-8 characters are released, and text that may be the start of a
 * stop string is held back until it is known not to be one. A stop string itself is never released.
 */
public final class TextStream {
    private final List<String> stops;
    private final Consumer<String> sink;
    private final ByteArrayOutputStream pendingBytes = new ByteArrayOutputStream();
    private final StringBuilder held = new StringBuilder();
    private final StringBuilder all = new StringBuilder();
    private boolean stopped;

    public TextStream(List<String> stops, Consumer<String> sink) {
        this.stops = stops.stream().filter(s -> !s.isEmpty()).toList();
        this.sink = sink;
    }

    /** Everything released so far. */
    public String text() { return all.toString(); }

    public boolean stopped() { return stopped; }

    /** Adds a token's bytes; returns true when a stop string has appeared (the text before it is released). */
    public boolean add(byte[] bytes) {
        if (stopped) return true;
        pendingBytes.writeBytes(bytes);
        byte[] b = pendingBytes.toByteArray();
        int complete = completePrefix(b);
        if (complete == 0) return false;
        held.append(new String(b, 0, complete, StandardCharsets.UTF_8));
        pendingBytes.reset();
        pendingBytes.write(b, complete, b.length - complete);

        int at = firstStop();
        if (at >= 0) {
            release(at);
            held.setLength(0);
            stopped = true;
            return true;
        }
        release(safeLength());
        return false;
    }

    /** Releases whatever is still held (at the end of generation). Incomplete UTF-8 becomes U+FFFD. */
    public void flush() {
        if (stopped) return;
        if (pendingBytes.size() > 0) {
            held.append(new String(pendingBytes.toByteArray(), StandardCharsets.UTF_8));
            pendingBytes.reset();
        }
        release(held.length());
    }

    private void release(int n) {
        if (n <= 0) return;
        String s = held.substring(0, n);
        held.delete(0, n);
        all.append(s);
        sink.accept(s);
    }

    private int firstStop() {
        int best = -1;
        for (String s : stops) {
            int i = held.indexOf(s);
            if (i >= 0 && (best < 0 || i < best)) best = i;
        }
        return best;
    }

    /** Length of the held text that cannot be the start of any stop string. */
    private int safeLength() {
        int n = held.length();
        for (int i = Math.max(0, n - maxStop()); i < n; i++) {
            for (String s : stops) {
                int len = n - i;
                if (len < s.length() && s.regionMatches(0, held.substring(i), 0, len)) return i;
            }
        }
        return n;
    }

    private int maxStop() {
        int m = 0;
        for (String s : stops) m = Math.max(m, s.length());
        return m;
    }

    /** Bytes of {@code b} that form whole UTF-8 sequences (invalid bytes count as whole). */
    static int completePrefix(byte[] b) {
        int n = b.length;
        // look back at most 3 bytes for an unfinished lead byte
        for (int back = 1; back <= Math.min(3, n); back++) {
            int c = b[n - back] & 0xff;
            if ((c & 0xC0) == 0x80) continue; // continuation
            int need = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
            return need > back ? n - back : n;
        }
        return n;
    }
}
