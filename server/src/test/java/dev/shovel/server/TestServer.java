package dev.shovel.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.shovel.api.Model;
import dev.shovel.api.ModelOptions;
import dev.shovel.engine.Engine;
import dev.shovel.engine.EngineOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;

/** A model, an engine and a server on a free port, in this JVM; plain HTTP calls to it. */
final class TestServer implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();
    final Model model;
    final Engine engine;
    final OpenAiServer server;
    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    final String key;

    /** {@code path} null: the embedded stories260K. */
    TestServer(Path path, ModelOptions mo, EngineOptions eo, ServerOptions so) { this(path, mo, eo, so, null); }

    /** {@code log}: where the server's log lines go (null: nowhere). */
    TestServer(Path path, ModelOptions mo, EngineOptions eo, ServerOptions so, java.io.PrintStream log) {
        model = path == null ? Model.loadDefault(mo) : Model.load(path, mo);
        engine = new Engine(model, eo);
        try {
            server = OpenAiServer.start(so.withPort(0), log);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.ready(engine, "test-model");
        key = so.apiKeys().isEmpty() ? null : so.apiKeys().get(0);
    }

    static TestServer stories(int slots, ServerOptions so) {
        return new TestServer(null, ModelOptions.defaults().withThreads(2).withCtxSize(512), EngineOptions.defaults().withSlots(slots), so);
    }

    String url(String path) { return server.url() + path; }

    record Reply(int status, String body, java.net.http.HttpHeaders headers) {
        JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new AssertionError("not JSON: " + body, e);
            }
        }
    }

    HttpRequest.Builder request(String path) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url(path))).timeout(Duration.ofSeconds(60));
        if (key != null) b.header("Authorization", "Bearer " + key);
        return b;
    }

    Reply get(String path) { return send(request(path).GET().build()); }

    Reply post(String path, String json) {
        return send(request(path).header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)).build());
    }

    Reply send(HttpRequest r) {
        try {
            HttpResponse<String> res = http.send(r, HttpResponse.BodyHandlers.ofString());
            return new Reply(res.statusCode(), res.body(), res.headers());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    @Override
    public void close() {
        server.close();
        engine.close();
        model.close();
        http.close();
    }
}
