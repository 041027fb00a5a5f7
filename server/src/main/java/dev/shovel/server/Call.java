package dev.shovel.server;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * One HTTP exchange: the body read under a size limit and the watchdog's clock, JSON or server-sent-event answers,
 * and what the access log line reports.
 */
final class Call implements AutoCloseable {
    /** For answers the server writes (no limits needed: it reads nothing with it). */
    static final ObjectMapper JSON = new ObjectMapper();

    /** What a server holds for reading bodies: its limits, a JSON reader under them, the shared budget of body bytes. */
    record Rules(ServerLimits limits, ObjectMapper json, Semaphore budgetKiB) {
        static Rules of(ServerLimits l) {
            StreamReadConstraints c = StreamReadConstraints.builder()
                    .maxNestingDepth(l.maxJsonDepth())
                    .maxStringLength(l.maxJsonStringChars())
                    .maxNumberLength(l.maxJsonNumberChars())
                    .maxNameLength(MAX_JSON_NAME_CHARS)
                    .maxTokenCount(l.maxJsonTokens())
                    .maxDocumentLength(l.maxBodyBytes())
                    .build();
            long kib = Math.min(Integer.MAX_VALUE, (l.bodyBudgetBytes() + 1023) >> 10);
            return new Rules(l, new ObjectMapper(JsonFactory.builder().streamReadConstraints(c).build()), new Semaphore((int) kib));
        }
    }

    /** A JSON object key: 4096 chars (field names are short; a logit_bias key may be a word or two of text). */
    static final int MAX_JSON_NAME_CHARS = 4096;

    /** How long a body waits for its share of the body budget before a 503. */
    static final long BUDGET_WAIT_SECONDS = 5;

    final HttpExchange ex;
    final String method, path;
    final long started = System.nanoTime();
    private final Watchdog.Timer timer;
    private final Rules rules;
    private int heldKiB; // of the body budget
    private OutputStream out;
    int status;
    int promptTokens = -1, generatedTokens = -1;
    String failure; // for the log line: why a request failed after its answer began
    String refused; // for the log line: the limit a request broke

    Call(HttpExchange ex, Watchdog watchdog, Rules rules) {
        this.ex = ex;
        this.method = ex.getRequestMethod();
        this.path = ex.getRequestURI().getPath();
        this.timer = watchdog.timer();
        this.rules = rules;
    }

    /** The client's address, for the log. */
    String client() {
        InetSocketAddress a = ex.getRemoteAddress();
        return a == null || a.getAddress() == null ? "?" : a.getAddress().getHostAddress();
    }

    /** An error that a limit caused: answered as {@code e}, logged as "refused: {@code why} from ADDRESS". */
    ApiError refuse(ApiError e, String why) {
        refused = why + " from " + client();
        return e;
    }

    /**
     * The request body, at most the limit: 413 beyond it, from the Content-Length before reading anything, or for a
     * chunked body as soon as the limit is passed. The bytes count against the server's body budget until the body is
     * parsed (or the call ends).
     */
    byte[] body() throws IOException {
        long max = rules.limits().maxBodyBytes();
        String len = ex.getRequestHeaders().getFirst("Content-Length");
        long declared = -1;
        if (len != null) {
            try {
                declared = Long.parseLong(len.trim());
            } catch (NumberFormatException e) {
                throw ApiError.badRequest("Content-Length is not a number");
            }
            if (declared > max) throw refuse(tooLarge(), "body of " + declared + " bytes over the " + ServerLimits.size(max) + " limit");
        }
        if (declared >= 0) { // read into an array of its size: no doubling copies
            reserve(declared);
            byte[] b = new byte[(int) declared];
            try (InputStream in = timer.input(ex.getRequestBody())) {
                int at = 0;
                for (int n; at < b.length && (n = in.read(b, at, b.length - at)) > 0; ) at += n;
                if (at < b.length) throw new IOException("the body ended after " + at + " of " + b.length + " bytes");
            }
            return b;
        }
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        try (InputStream in = timer.input(ex.getRequestBody())) {
            byte[] chunk = new byte[8192];
            for (int n; (n = in.read(chunk)) > 0; ) {
                if (buf.size() + (long) n > max) {
                    throw refuse(tooLarge(), "chunked body over the " + ServerLimits.size(max) + " limit (cut at " + (buf.size() + n) + " bytes)");
                }
                if (buf.size() + n > (long) heldKiB << 10) reserve(Math.min(max, buf.size() + n + (64 << 10)));
                buf.write(chunk, 0, n);
            }
        }
        return buf.toByteArray();
    }

    /** Takes {@code bytes} of the body budget (what is held already counts), waiting a little; 503 if it stays short. */
    private void reserve(long bytes) throws IOException {
        int need = (int) Math.min(Integer.MAX_VALUE, (bytes + 1023) >> 10) - heldKiB;
        if (need <= 0) return;
        boolean ok;
        try {
            ok = rules.budgetKiB().tryAcquire(need, BUDGET_WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for the body budget");
        }
        if (!ok) {
            throw refuse(ApiError.unavailable("the server is busy receiving other large request bodies; retry in a moment"),
                    "body of " + bytes + " bytes: the " + ServerLimits.size(rules.limits().bodyBudgetBytes()) + " budget for bodies in memory stayed full");
        }
        heldKiB += need;
    }

    /** Gives the body's share of the budget back. */
    void release() {
        if (heldKiB > 0) {
            rules.budgetKiB().release(heldKiB);
            heldKiB = 0;
        }
    }

    private ApiError tooLarge() {
        long max = rules.limits().maxBodyBytes();
        return new ApiError(413, "invalid_request_error", "the request body is larger than the limit of " + max + " bytes ("
                + ServerLimits.size(max) + ", --max-body)");
    }

    /** The body as a JSON object; malformed JSON or another type is a 400. */
    JsonNode json() throws IOException {
        try {
            return parse(body(), rules);
        } catch (ApiError e) {
            if (e.limit != null) refuse(e, e.limit);
            throw e;
        } finally {
            release();
        }
    }

    /**
     * A request body as a JSON object, under the rules' limits: the bytes must be UTF-8 (a 400 naming the first bad
     * byte), the JSON well formed and within the depth, string, number and token limits (a 400 naming the limit), and an
     * object. The one way the server reads a body: the fuzz harness calls it as it is.
     */
    static JsonNode parse(byte[] b, Rules rules) {
        if (b.length == 0) throw ApiError.badRequest("the request body is empty; send a JSON object");
        int bad = invalidUtf8(b);
        if (bad >= 0) {
            throw ApiError.badRequest(String.format("the request body is not valid UTF-8: byte 0x%02x at offset %d", b[bad] & 0xff, bad))
                    .limit("body not valid UTF-8 (offset " + bad + ")");
        }
        JsonNode n;
        try {
            n = rules.json().readTree(b);
        } catch (StreamConstraintsException e) {
            String what = constraint(e, rules.limits());
            throw ApiError.badRequest("the request body's JSON is too big: " + what).limit("JSON body: " + what);
        } catch (JsonProcessingException e) {
            throw ApiError.badRequest("the request body is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) { // from a byte array: only a parse failure
            throw ApiError.badRequest("the request body is not valid JSON: " + e.getMessage());
        }
        if (n == null || !n.isObject()) throw ApiError.badRequest("the request body must be a JSON object");
        return n;
    }

    /** Which of Jackson's stream limits a body broke, in the server's words. */
    private static String constraint(StreamConstraintsException e, ServerLimits l) {
        String m = String.valueOf(e.getOriginalMessage());
        if (m.contains("nesting depth")) return "nested deeper than " + l.maxJsonDepth() + " levels";
        if (m.contains("String value length")) return "a string longer than " + l.maxJsonStringChars() + " characters";
        if (m.contains("Number value length")) return "a number longer than " + l.maxJsonNumberChars() + " digits";
        if (m.contains("Name length")) return "a key longer than " + MAX_JSON_NAME_CHARS + " characters";
        if (m.contains("Token count")) return "more than " + l.maxJsonTokens() + " JSON tokens";
        int from = m.indexOf(" (from ");
        return from > 0 ? m.substring(0, from) : m;
    }

    /** The offset of the first byte that is not well-formed UTF-8 (overlong forms and surrogates included); -1 if none. */
    static int invalidUtf8(byte[] b) {
        int i = 0;
        while (i < b.length && b[i] >= 0) i++; // ASCII: the common case, no decoder
        if (i == b.length) return -1;
        CharsetDecoder d = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(b, i, b.length - i);
        CharBuffer out = CharBuffer.allocate(4096);
        while (true) {
            CoderResult r = d.decode(in, out, true);
            if (r.isError()) return in.position();
            if (r.isOverflow()) {
                out.clear();
                continue;
            }
            r = d.flush(out);
            return r.isError() ? in.position() : -1;
        }
    }

    void json(int status, Object value) throws IOException {
        send(status, "application/json; charset=utf-8", JSON.writeValueAsBytes(value));
    }

    void send(int status, String contentType, byte[] body) throws IOException {
        this.status = status;
        ex.getResponseHeaders().set("Content-Type", contentType);
        boolean head = "HEAD".equals(method);
        ex.sendResponseHeaders(status, head || body.length == 0 ? -1 : body.length);
        if (!head && body.length > 0) {
            try (OutputStream o = timer.output(ex.getResponseBody())) {
                o.write(body);
            }
        }
    }

    void error(ApiError e) throws IOException {
        var err = JSON.createObjectNode();
        var inner = err.putObject("error");
        inner.put("message", e.getMessage());
        inner.put("type", e.type);
        inner.put("code", e.status);
        ex.getResponseHeaders().set("Connection", "close");
        if (e.status == 503) ex.getResponseHeaders().set("Retry-After", "1");
        if (e.status == 401) ex.getResponseHeaders().set("WWW-Authenticate", "Bearer");
        json(e.status, err);
    }

    boolean started() { return out != null; }

    /** Starts a streamed answer of unknown length (chunked). */
    OutputStream stream(int status, String contentType) throws IOException {
        this.status = status;
        ex.getResponseHeaders().set("Content-Type", contentType);
        ex.getResponseHeaders().set("Cache-Control", "no-cache");
        ex.getResponseHeaders().set("X-Accel-Buffering", "no");
        ex.sendResponseHeaders(status, 0);
        out = timer.output(ex.getResponseBody());
        return out;
    }

    /** Writes and flushes: an IOException here means the client is gone (or reads too slowly for its stream). */
    void write(String s) throws IOException {
        checkBacklog();
        out.write(s.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    /** Watches a streamed generation: a client more than the limit's tokens behind is cut, its request cancelled. */
    void watch(dev.shovel.engine.Generation g) { timer.watch(g, rules.limits().maxStreamBacklog()); }

    /** Fails if the watched stream's reader fell too far behind (the watchdog cancelled the generation). */
    void checkBacklog() throws IOException {
        if (timer.overflowed()) throw slow();
    }

    /** Whether the watchdog cut this call for a slow reader; the log says so. */
    IOException slow() {
        if (refused == null) {
            refused = "client read its stream too slowly (" + timer.backlogSeen + " tokens not taken, limit "
                    + rules.limits().maxStreamBacklog() + "): request cancelled, slot freed, from " + client();
        }
        return new InterruptedIOException("the client reads its stream too slowly");
    }

    boolean overflowed() { return timer.overflowed(); }

    /** One server-sent event: {@code data: <json>} and a blank line. */
    void event(Object value) throws IOException {
        write("data: " + JSON.writeValueAsString(value) + "\n\n");
    }

    boolean timedOut() { return timer.timedOut(); }

    @Override
    public void close() {
        release();
        try {
            if (out != null) out.close();
        } catch (IOException ignored) {
            // the client is gone; nothing left to tell it
        }
        ex.close();
        timer.close();
    }
}
