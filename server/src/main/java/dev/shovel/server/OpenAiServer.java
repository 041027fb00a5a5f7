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
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

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
    private final Call.Rules rules;
    private volatile Endpoints endpoints;

    /** The exchange a JDK server thread is working on: its header clock and its server (for the log). */
    private record Exchange(OpenAiServer server, Watchdog.Timer headers) {}

    private static final ScopedValue<Exchange> EXCHANGE = ScopedValue.newInstance();

    /**
     * Binds the port and starts answering. {@code log} gets one line per request and the ready line (null: none).
     * The JDK server's own limits are process-wide (see {@link ServerLimits}): the first server in a process sets them.
     */
    public static OpenAiServer start(ServerOptions options, PrintStream log) throws IOException {
        jdkLimits(options.limits());
        return new OpenAiServer(options, log);
    }

    /**
     * The JDK HttpServer's limits, read once per process (by sun.net.httpserver.ServerConfig, when the first server is
     * created): set from the first server's options unless given with -D. Each is described in {@link ServerLimits}.
     */
    private static synchronized void jdkLimits(ServerLimits l) {
        System.setProperty("sun.net.httpserver.nodelay", "true"); // tokens go out as they come, not after 40 ms
        setDefault("sun.net.httpserver.maxReqTime", l.ioTimeoutSeconds()); // headers and body, whole (seconds)
        setDefault("sun.net.httpserver.idleInterval", l.idleTimeoutSeconds()); // a connection sending nothing (seconds)
        setDefault("sun.net.httpserver.clockTick", 1000); // how often idle connections are looked at (ms; JDK: 10 s)
        setDefault("jdk.httpserver.maxConnections", l.maxConnections());
        setDefault("sun.net.httpserver.maxIdleConnections", l.maxIdleConnections());
        setDefault("sun.net.httpserver.maxReqHeaderSize", l.maxHeaderBytes());
        setDefault("sun.net.httpserver.maxReqHeaders", l.maxHeaders());
        // what the JDK refuses before a handler runs (headers too big or too many, bad request lines) reaches the log
        JDK_LOG.setLevel(Level.FINER);
        if (java.util.Arrays.stream(JDK_LOG.getHandlers()).noneMatch(h -> h instanceof JdkRefusals)) JDK_LOG.addHandler(new JdkRefusals());
    }

    private static void setDefault(String property, long value) {
        if (System.getProperty(property) == null) System.setProperty(property, Long.toString(value));
    }

    /** The JDK server's logger (held: java.util.logging keeps loggers weakly, and would drop the level and handler). */
    private static final Logger JDK_LOG = Logger.getLogger("com.sun.net.httpserver");

    /**
     * Turns the JDK server's own refusals, which it logs at debug level on the thread reading the request, into a
     * "refused:" line in the log of the server whose exchange that thread runs.
     */
    private static final class JdkRefusals extends Handler {
        @Override
        public void publish(LogRecord r) {
            if (!EXCHANGE.isBound()) return;
            String why = null;
            Throwable t = r.getThrown();
            String m = t == null ? null : t.getMessage();
            if (m != null && m.contains("sun.net.httpserver.maxReqHeaderSize")) {
                why = "request headers over the " + ServerLimits.size(Integer.getInteger("sun.net.httpserver.maxReqHeaderSize", 0)) + " limit";
            } else if (m != null && m.contains("sun.net.httpserver.maxReqHeaders")) {
                why = "more than " + Integer.getInteger("sun.net.httpserver.maxReqHeaders", 0) + " request headers";
            } else if (t == null && r.getMessage() != null && r.getMessage().matches("(?s).* \\[[45]\\d\\d .*\\] \\(.+\\)")) {
                // "<request line> [400 Bad Request] (reason)": the JDK's own rejections (the handler's answers log "()")
                why = "by the JDK server: " + r.getMessage().replaceAll("\\s+", " ");
            }
            if (why != null) EXCHANGE.get().server().refusedLine(why + " (connection closed)");
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
    }

    private OpenAiServer(ServerOptions options, PrintStream log) throws IOException {
        this.options = options;
        this.log = log;
        this.keys = options.apiKeys().stream().map(k -> k.getBytes(StandardCharsets.UTF_8)).toList();
        this.page = options.webUi() ? resource("web/index.html") : null;
        this.rules = Call.Rules.of(options.limits());
        this.watchdog = new Watchdog(options.timeoutSeconds());
        this.http = HttpServer.create(new InetSocketAddress(options.host(), options.port()), 128);
        http.setExecutor(this::execute);
        http.createContext("/", this::handle);
        http.start();
    }

    /**
     * Runs one of the JDK server's exchange tasks (read a request's headers, then call the handler) on a virtual thread,
     * under the header clock: headers not complete in time interrupt the read, which closes the connection.
     */
    private void execute(Runnable task) {
        executor.execute(() -> {
            Watchdog.Timer headers = watchdog.timer(TimeUnit.SECONDS.toNanos(options.limits().headerTimeoutSeconds()));
            try {
                headers.begin();
                ScopedValue.where(EXCHANGE, new Exchange(this, headers)).run(task);
            } catch (IOException e) {
                // not reached: begin() fails only on a timed-out clock
            } finally {
                if (headers.fired()) {
                    refusedLine("request headers not complete within " + options.limits().headerTimeoutSeconds() + " s (connection closed)");
                }
                headers.close();
            }
        });
    }

    /** The engine is loaded: serve it. The model id is the alias, else the model file's name. */
    public void ready(Engine engine, String modelId) {
        String id = options.alias() != null && !options.alias().isBlank() ? options.alias() : modelId;
        endpoints = new Endpoints(engine, id, options, metrics);
    }

    public int port() { return http.getAddress().getPort(); }

    public String url() { return "http://" + options.host() + ":" + port(); }

    public Metrics metrics() { return metrics; }

    /** The routes, once the engine is ready (null before). */
    Endpoints endpoints() { return endpoints; }

    void handle(HttpExchange ex) {
        if (EXCHANGE.isBound()) { // the headers are in: stop their clock
            try {
                EXCHANGE.get().headers().end(null);
            } catch (IOException e) { // they came just as the clock cut them: the connection is closed already
                ex.close();
                return;
            }
        }
        try (Call call = new Call(ex, watchdog, rules)) {
            try {
                dispatch(call);
            } catch (ApiError e) {
                if (e.limit != null && call.refused == null) call.refuse(e, e.limit);
                if (!call.started()) call.error(e);
                else call.status = e.status;
            } catch (ShovelException e) {
                if (!call.started()) call.error(ApiError.badRequest(e.getMessage()));
            } catch (IOException e) {
                if (call.overflowed()) call.slow(); // says so in the log
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
                + (call.failure != null ? " error: " + call.failure.replaceAll("\\p{Cntrl}", " ") : "")
                + (call.refused != null ? " refused: " + call.refused.replaceAll("\\p{Cntrl}", " ") : ""));
    }

    /** A refusal with no request to log it with (the connection was closed before a handler ran): a line of its own. */
    void refusedLine(String why) {
        if (log == null) return;
        log.println(LocalTime.now().format(TIME) + " refused: " + why.replaceAll("\\p{Cntrl}", " "));
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
