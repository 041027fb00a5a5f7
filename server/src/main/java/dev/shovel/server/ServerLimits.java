package dev.shovel.server;

/**
 * Every limit the server puts on what a client may send, hold or leave half done, in one place. A client over a limit is
 * refused (an OpenAI-shaped 4xx when an answer can still be sent, else the connection is closed) and the server log
 * says so in one line starting with {@code refused:}; everyone else is served on.
 *
 * <p>Some of them ({@code idleTimeoutSeconds}, {@code maxConnections}, {@code maxHeaderBytes}, {@code maxHeaders},
 * and the I/O timeout as the JDK's whole-request time) are the JDK HttpServer's own, read from system properties once
 * per process when its first server starts: the first {@link OpenAiServer} in a process sets them (a {@code -D} on the
 * command line wins), later servers in the same process share them. The others hold per server.
 *
 * @param ioTimeoutSeconds     a read or write that makes no progress for this long fails and drops the client (a body
 *                             that stops arriving, a stream nobody reads). 600 s: llama-server's {@code --timeout}; a
 *                             long prompt's first token may legitimately take minutes on a CPU, and keep-alive bytes go
 *                             out every second meanwhile. Also the JDK's {@code sun.net.httpserver.maxReqTime}: the
 *                             longest a whole request (headers and body) may take to arrive.
 * @param maxBodyBytes         the largest request body: 10 MiB. A 128K-token prompt is under 1 MiB of JSON (as text or
 *                             as token ids); beyond the limit: 413, refused from the Content-Length before reading, or
 *                             after reading the limit of a chunked body (never more than the limit in memory).
 * @param bodyBudgetBytes      request bodies held in memory at once, by all clients together: 64 MiB (at least
 *                             {@code maxBodyBytes}). A body waits for its share up to 5 s, then gets 503: a flood of big
 *                             bodies cannot exhaust the heap, and small requests (a few KiB) almost never wait.
 * @param headerTimeoutSeconds from a request's first byte to the end of its headers: 30 s. The JDK has no such limit
 *                             (its {@code maxReqTime} covers the body too, so it must be long): a client that trickles
 *                             its headers (slowloris) holds a connection for this long at most. Real clients send their
 *                             headers in one packet.
 * @param idleTimeoutSeconds   a connection that sends nothing (new, or kept alive between requests) is closed after
 *                             this long: 30 s (JDK {@code sun.net.httpserver.idleInterval}; the idle check runs every
 *                             second, {@code clockTick}). Client pools drop idle connections sooner (httpx, OkHttp: 5 s).
 * @param maxConnections       open connections at once (JDK {@code jdk.httpserver.maxConnections}): 8192. More are closed
 *                             as soon as they are accepted (the JDK cannot evict an idle one instead); each costs a file
 *                             descriptor and a few KiB, no thread while idle. High enough that thousands of idle
 *                             connections leave room for real clients, below the descriptor limit the JVM raises itself
 *                             to on Linux (the hard limit, usually 2^20). Idle ones go after {@code idleTimeoutSeconds}.
 * @param maxIdleConnections   kept-alive connections waiting for a next request (JDK
 *                             {@code sun.net.httpserver.maxIdleConnections}): 256; beyond it a connection is closed
 *                             after its answer (the client opens a new one).
 * @param maxHeaderBytes       request line and headers together (JDK {@code sun.net.httpserver.maxReqHeaderSize}, names
 *                             and values plus 32 bytes a header): 64 KiB (the JDK's default is 380 KiB). Real requests
 *                             send under 8 KiB; a long JWT in Authorization still fits. Over it the JDK closes the
 *                             connection without an answer.
 * @param maxHeaders           header lines in a request (JDK {@code sun.net.httpserver.maxReqHeaders}): 100 (the JDK's
 *                             default is 200; browsers send about 20).
 * @param maxJsonDepth         nesting of a JSON body: 128. OpenAI's requests nest under 10 levels (a tool's JSON
 *                             schema a few dozen at most); the limit keeps every recursive walk of the tree (templates,
 *                             serialization) far from the stack's end. Jackson's default is 500.
 * @param maxJsonStringChars   one JSON string: 10 M chars, the body limit (nothing longer fits anyway; Jackson's
 *                             default is 20 M).
 * @param maxJsonNumberChars   one JSON number: 100 characters (a double's longest exact decimal form is under 30, a
 *                             seed's 20; Jackson's default, 1000, lets a body make BigInteger/BigDecimal parses slow).
 * @param maxJsonTokens        JSON tokens in a body: 1 M. A 128K-token prompt as ids is 128 K tokens; a body of tiny
 *                             objects could otherwise expand 10 MiB into a few hundred MiB of tree.
 * @param maxStreamBacklog     tokens a streamed answer may be ahead of what its client has taken: 1024. A client that
 *                             reads slower than the slot generates (or not at all) is cut there: its request is
 *                             cancelled and the slot freed, instead of generating to the end for nobody while the
 *                             events pile up in memory (a token with 20 logprobs is a few KiB).
 * @param maxGrammarChars      a request's output constraint: 128 K chars of GBNF ({@code grammar}), or of a JSON schema
 *                             written compactly. Schemas of real tools and forms are a few KiB; compiling is linear in
 *                             the text, but its automaton and token masks are built as generation reaches them.
 */
public record ServerLimits(int ioTimeoutSeconds, long maxBodyBytes, long bodyBudgetBytes, int headerTimeoutSeconds,
                           int idleTimeoutSeconds, int maxConnections, int maxIdleConnections, int maxHeaderBytes,
                           int maxHeaders, int maxJsonDepth, int maxJsonStringChars, int maxJsonNumberChars,
                           long maxJsonTokens, int maxStreamBacklog, int maxGrammarChars) {

    public static final int IO_TIMEOUT_SECONDS = 600;
    public static final long MAX_BODY_BYTES = 10L << 20;
    public static final long BODY_BUDGET_BYTES = 64L << 20;
    public static final int HEADER_TIMEOUT_SECONDS = 30;
    public static final int IDLE_TIMEOUT_SECONDS = 30;
    public static final int MAX_CONNECTIONS = 8192;
    public static final int MAX_IDLE_CONNECTIONS = 256;
    public static final int MAX_HEADER_BYTES = 64 << 10;
    public static final int MAX_HEADERS = 100;
    public static final int MAX_JSON_DEPTH = 128;
    public static final int MAX_JSON_STRING_CHARS = 10 << 20;
    public static final int MAX_JSON_NUMBER_CHARS = 100;
    public static final long MAX_JSON_TOKENS = 1_000_000;
    public static final int MAX_STREAM_BACKLOG = 1024;
    public static final int MAX_GRAMMAR_CHARS = 128 << 10;

    public ServerLimits {
        positive("timeout", ioTimeoutSeconds);
        positive("body limit", maxBodyBytes);
        bodyBudgetBytes = Math.max(bodyBudgetBytes, maxBodyBytes);
        positive("header timeout", headerTimeoutSeconds);
        positive("idle timeout", idleTimeoutSeconds);
        positive("connection limit", maxConnections);
        positive("idle connection limit", maxIdleConnections);
        positive("header size limit", maxHeaderBytes);
        positive("header count limit", maxHeaders);
        positive("JSON depth limit", maxJsonDepth);
        positive("JSON string limit", maxJsonStringChars);
        positive("JSON number limit", maxJsonNumberChars);
        positive("JSON token limit", maxJsonTokens);
        positive("stream backlog limit", maxStreamBacklog);
        positive("grammar size limit", maxGrammarChars);
    }

    private static void positive(String what, long v) {
        if (v < 1) throw new IllegalArgumentException(what + " must be at least 1, got " + v);
    }

    public static ServerLimits defaults() {
        return new ServerLimits(IO_TIMEOUT_SECONDS, MAX_BODY_BYTES, BODY_BUDGET_BYTES, HEADER_TIMEOUT_SECONDS, IDLE_TIMEOUT_SECONDS,
                MAX_CONNECTIONS, MAX_IDLE_CONNECTIONS, MAX_HEADER_BYTES, MAX_HEADERS, MAX_JSON_DEPTH, MAX_JSON_STRING_CHARS,
                MAX_JSON_NUMBER_CHARS, MAX_JSON_TOKENS, MAX_STREAM_BACKLOG, MAX_GRAMMAR_CHARS);
    }

    public ServerLimits withIoTimeout(int s) { return new ServerLimits(s, maxBodyBytes, bodyBudgetBytes, headerTimeoutSeconds, idleTimeoutSeconds, maxConnections, maxIdleConnections, maxHeaderBytes, maxHeaders, maxJsonDepth, maxJsonStringChars, maxJsonNumberChars, maxJsonTokens, maxStreamBacklog, maxGrammarChars); }
    public ServerLimits withMaxBody(long b) { return new ServerLimits(ioTimeoutSeconds, b, bodyBudgetBytes, headerTimeoutSeconds, idleTimeoutSeconds, maxConnections, maxIdleConnections, maxHeaderBytes, maxHeaders, maxJsonDepth, maxJsonStringChars, maxJsonNumberChars, maxJsonTokens, maxStreamBacklog, maxGrammarChars); }
    public ServerLimits withBodyBudget(long b) { return new ServerLimits(ioTimeoutSeconds, maxBodyBytes, b, headerTimeoutSeconds, idleTimeoutSeconds, maxConnections, maxIdleConnections, maxHeaderBytes, maxHeaders, maxJsonDepth, maxJsonStringChars, maxJsonNumberChars, maxJsonTokens, maxStreamBacklog, maxGrammarChars); }
    public ServerLimits withHeaderTimeout(int s) { return new ServerLimits(ioTimeoutSeconds, maxBodyBytes, bodyBudgetBytes, s, idleTimeoutSeconds, maxConnections, maxIdleConnections, maxHeaderBytes, maxHeaders, maxJsonDepth, maxJsonStringChars, maxJsonNumberChars, maxJsonTokens, maxStreamBacklog, maxGrammarChars); }
    public ServerLimits withIdleTimeout(int s) { return new ServerLimits(ioTimeoutSeconds, maxBodyBytes, bodyBudgetBytes, headerTimeoutSeconds, s, maxConnections, maxIdleConnections, maxHeaderBytes, maxHeaders, maxJsonDepth, maxJsonStringChars, maxJsonNumberChars, maxJsonTokens, maxStreamBacklog, maxGrammarChars); }
    public ServerLimits withMaxConnections(int n) { return new ServerLimits(ioTimeoutSeconds, maxBodyBytes, bodyBudgetBytes, headerTimeoutSeconds, idleTimeoutSeconds, n, maxIdleConnections, maxHeaderBytes, maxHeaders, maxJsonDepth, maxJsonStringChars, maxJsonNumberChars, maxJsonTokens, maxStreamBacklog, maxGrammarChars); }
    public ServerLimits withMaxHeaderBytes(int n) { return new ServerLimits(ioTimeoutSeconds, maxBodyBytes, bodyBudgetBytes, headerTimeoutSeconds, idleTimeoutSeconds, maxConnections, maxIdleConnections, n, maxHeaders, maxJsonDepth, maxJsonStringChars, maxJsonNumberChars, maxJsonTokens, maxStreamBacklog, maxGrammarChars); }
    public ServerLimits withMaxJsonDepth(int n) { return new ServerLimits(ioTimeoutSeconds, maxBodyBytes, bodyBudgetBytes, headerTimeoutSeconds, idleTimeoutSeconds, maxConnections, maxIdleConnections, maxHeaderBytes, maxHeaders, n, maxJsonStringChars, maxJsonNumberChars, maxJsonTokens, maxStreamBacklog, maxGrammarChars); }
    public ServerLimits withMaxJsonStringChars(int n) { return new ServerLimits(ioTimeoutSeconds, maxBodyBytes, bodyBudgetBytes, headerTimeoutSeconds, idleTimeoutSeconds, maxConnections, maxIdleConnections, maxHeaderBytes, maxHeaders, maxJsonDepth, n, maxJsonNumberChars, maxJsonTokens, maxStreamBacklog, maxGrammarChars); }
    public ServerLimits withMaxStreamBacklog(int n) { return new ServerLimits(ioTimeoutSeconds, maxBodyBytes, bodyBudgetBytes, headerTimeoutSeconds, idleTimeoutSeconds, maxConnections, maxIdleConnections, maxHeaderBytes, maxHeaders, maxJsonDepth, maxJsonStringChars, maxJsonNumberChars, maxJsonTokens, n, maxGrammarChars); }

    public ServerLimits withMaxGrammarChars(int n) { return new ServerLimits(ioTimeoutSeconds, maxBodyBytes, bodyBudgetBytes, headerTimeoutSeconds, idleTimeoutSeconds, maxConnections, maxIdleConnections, maxHeaderBytes, maxHeaders, maxJsonDepth, maxJsonStringChars, maxJsonNumberChars, maxJsonTokens, maxStreamBacklog, n); }

    /** "10 MiB", "64 KiB", "100 bytes": for messages. */
    static String size(long bytes) {
        if (bytes >= 1L << 20 && bytes % (1L << 20) == 0) return (bytes >> 20) + " MiB";
        if (bytes >= 1L << 10 && bytes % (1L << 10) == 0) return (bytes >> 10) + " KiB";
        return bytes + " bytes";
    }
}
