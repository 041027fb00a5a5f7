package dev.shovel.server;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.shovel.ShovelException;
import dev.shovel.engine.Engine;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * An OpenAI-compatible HTTP server over an {@link Engine}: the JDK's HttpServer, a virtual thread per exchange. It
 * listens at once and answers 503 (but {@code /health}) until {@link #ready} hands it the engine.
 */
public final class OpenAiServer implements AutoCloseable {
    private final ServerOptions options;
    private final HttpServer http;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final Watchdog watchdog;
    private final PrintStream log;
    private final List<byte[]> keys;
    private final Metrics metrics = new Metrics();
    private final byte[] page;
    private volatile Endpoints endpoints;

    /**
     * Binds the port and starts answering. {@code log} gets one line per request and the ready line (null: none).
     * The JDK server's own limits are process-wide: the first server sets the request read time to the timeout.
     */
    public static OpenAiServer start(ServerOptions options, PrintStream log) throws IOException {
        System.setProperty("sun.net.httpserver.nodelay", "true");
        if (System.getProperty("sun.net.httpserver.maxReqTime") == null) {
            System.setProperty("sun.net.httpserver.maxReqTime", Integer.toString(options.timeoutSeconds()));
        }
        return new OpenAiServer(options, log);
    }

    private OpenAiServer(ServerOptions options, PrintStream log) throws IOException {
        this.options = options;
        this.log = log;
        this.keys = options.apiKeys().stream().map(k -> k.getBytes(StandardCharsets.UTF_8)).toList();
        this.page = options.webUi() ? resource("web/index.html") : null;
        this.watchdog = new Watchdog(options.timeoutSeconds());
        this.http = HttpServer.create(new InetSocketAddress(options.host(), options.port()), 128);
        http.setExecutor(executor);
        http.createContext("/", this::handle);
        http.start();
    }

    /** The engine is loaded: serve it. The model id is the alias, else the model file's name. */
    public void ready(Engine engine, String modelId) {
        String id = options.alias() != null && !options.alias().isBlank() ? options.alias() : modelId;
        endpoints = new Endpoints(engine, id, options, metrics);
    }

    public int port() { return http.getAddress().getPort(); }

    public String url() { return "http://" + options.host() + ":" + port(); }

    public Metrics metrics() { return metrics; }

    private void handle(HttpExchange ex) {
        try (Call call = new Call(ex, watchdog, options.maxBodyBytes())) {
            try {
                dispatch(call);
            } catch (ApiError e) {
                if (!call.started()) call.error(e);
                else call.status = e.status;
            } catch (ShovelException e) {
                if (!call.started()) call.error(ApiError.badRequest(e.getMessage()));
            } catch (IOException e) {
                if (call.status == 0 || call.started()) call.status = call.timedOut() ? 408 : 499; // the client went away
            } catch (RuntimeException | Error e) {
                call.failure = e.toString();
                if (!call.started()) call.error(new ApiError(500, "server_error", "internal error: " + Generate.message(e)));
                else call.status = 500;
            } finally {
                metrics.http(call.status);
                logLine(call);
            }
        } catch (IOException | RuntimeException ignored) {
            // writing the error failed: the client is gone
        }
    }

    private void dispatch(Call call) throws IOException {
        cors(call.ex);
        String path = call.path;
        if (call.method.equals("OPTIONS")) { // CORS preflight
            call.status = 204;
            call.ex.sendResponseHeaders(204, -1);
            return;
        }
        if (page != null && (path.equals("/") || path.equals("/index.html"))) {
            requireGet(call);
            call.send(200, "text/html; charset=utf-8", page);
            return;
        }
        Endpoints e = endpoints;
        if (path.equals("/health") || path.equals("/v1/health")) {
            requireGet(call);
            if (e == null) throw ApiError.unavailable("Loading model");
            call.json(200, Call.JSON.createObjectNode().put("status", "ok"));
            return;
        }
        authorize(call);
        if (e == null) throw ApiError.unavailable("Loading model");
        e.route(call);
    }

    static void requireGet(Call call) {
        if (!call.method.equals("GET") && !call.method.equals("HEAD")) {
            throw new ApiError(405, "invalid_request_error", call.method + " is not allowed on " + call.path + "; use GET");
        }
    }

    private static void cors(HttpExchange ex) {
        var h = ex.getResponseHeaders();
        h.set("Access-Control-Allow-Origin", "*");
        h.set("Access-Control-Allow-Headers", "Authorization, Content-Type, X-Api-Key");
        h.set("Access-Control-Allow-Methods", "GET, POST, OPTIONS");
    }

    /** With keys set: {@code Authorization: Bearer KEY} (or {@code X-Api-Key}), compared in constant time. */
    private void authorize(Call call) {
        if (keys.isEmpty()) return;
        String auth = call.ex.getRequestHeaders().getFirst("Authorization");
        String given = null;
        if (auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7)) given = auth.substring(7).trim();
        if (given == null) given = call.ex.getRequestHeaders().getFirst("X-Api-Key");
        boolean ok = false;
        if (given != null) {
            byte[] g = given.getBytes(StandardCharsets.UTF_8);
            for (byte[] k : keys) ok |= MessageDigest.isEqual(g, k); // every key compared, whichever matches
        }
        if (!ok) throw new ApiError(401, "authentication_error", given == null ? "Missing API key: send 'Authorization: Bearer KEY'" : "Invalid API key");
    }

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS");

    private void logLine(Call call) {
        if (log == null) return;
        long ms = (System.nanoTime() - call.started) / 1_000_000;
        String tokens = call.promptTokens >= 0 ? " prompt=" + call.promptTokens + " generated=" + call.generatedTokens : "";
        String path = call.ex.getRequestURI().getRawPath(); // still percent-encoded: no line breaks in the log
        log.println(LocalTime.now().format(TIME) + " " + call.method + " " + path + " " + call.status + tokens + " " + ms + " ms"
                + (call.failure != null ? " error: " + call.failure.replaceAll("\\p{Cntrl}", " ") : ""));
    }

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = OpenAiServer.class.getResourceAsStream(name)) {
            if (in == null) throw new IOException("missing resource " + name);
            return in.readAllBytes();
        }
    }

    /** Stops listening, waits up to a second for exchanges to end, and stops the watchdog. The engine is the caller's. */
    @Override
    public void close() {
        http.stop(1);
        executor.shutdownNow();
        watchdog.close();
    }
}
