package dev.shovel.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * One HTTP exchange: the body read under a size limit and the watchdog's clock, JSON or server-sent-event answers,
 * and what the access log line reports.
 */
final class Call implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();

    final HttpExchange ex;
    final String method, path;
    final long started = System.nanoTime();
    private final Watchdog.Timer timer;
    private final long maxBody;
    private OutputStream out;
    int status;
    int promptTokens = -1, generatedTokens = -1;
    String failure; // for the log line: why a request failed after its answer began

    Call(HttpExchange ex, Watchdog watchdog, long maxBody) {
        this.ex = ex;
        this.method = ex.getRequestMethod();
        this.path = ex.getRequestURI().getPath();
        this.timer = watchdog.timer();
        this.maxBody = maxBody;
    }

    /** The request body, at most the limit (413 beyond it). */
    byte[] body() throws IOException {
        String len = ex.getRequestHeaders().getFirst("Content-Length");
        if (len != null) {
            try {
                if (Long.parseLong(len.trim()) > maxBody) throw tooLarge();
            } catch (NumberFormatException e) {
                throw ApiError.badRequest("Content-Length is not a number");
            }
        }
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        try (InputStream in = timer.input(ex.getRequestBody())) {
            byte[] chunk = new byte[8192];
            for (int n; (n = in.read(chunk)) > 0; ) {
                if (buf.size() + (long) n > maxBody) throw tooLarge();
                buf.write(chunk, 0, n);
            }
        }
        return buf.toByteArray();
    }

    private ApiError tooLarge() {
        return new ApiError(413, "invalid_request_error", "the request body is larger than the limit of " + maxBody + " bytes (--max-body)");
    }

    /** The body as a JSON object; malformed JSON or another type is a 400. */
    JsonNode json() throws IOException {
        byte[] b = body();
        if (b.length == 0) throw ApiError.badRequest("the request body is empty; send a JSON object");
        JsonNode n;
        try {
            n = JSON.readTree(b);
        } catch (JsonProcessingException e) {
            throw ApiError.badRequest("the request body is not valid JSON: " + e.getOriginalMessage());
        }
        if (n == null || !n.isObject()) throw ApiError.badRequest("the request body must be a JSON object");
        return n;
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

    /** Writes and flushes: an IOException here means the client is gone. */
    void write(String s) throws IOException {
        out.write(s.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    /** One server-sent event: {@code data: <json>} and a blank line. */
    void event(Object value) throws IOException {
        write("data: " + JSON.writeValueAsString(value) + "\n\n");
    }

    boolean timedOut() { return timer.timedOut(); }

    @Override
    public void close() {
        try {
            if (out != null) out.close();
        } catch (IOException ignored) {
            // the client is gone; nothing left to tell it
        }
        ex.close();
        timer.close();
    }
}
