package dev.shovel.server;

import dev.shovel.gen.SamplerParams;
import java.util.List;

/**
 * How the server listens and what a request gets when it leaves a field out. {@code apiKeys} empty: no key needed.
 * {@code limits}: what a client may send, hold or leave half done (timeouts, sizes, connections): see {@link ServerLimits}.
 * {@code sampling}, {@code maxTokens} (-1: until the end) and {@code stop} are the defaults of the generation fields.
 */
public record ServerOptions(String host, int port, String alias, List<String> apiKeys, ServerLimits limits,
                            SamplerParams sampling, int maxTokens, List<String> stop, boolean webUi) {

    public ServerOptions {
        if (host == null || host.isBlank()) host = "127.0.0.1";
        if (port < 0 || port > 65535) throw new IllegalArgumentException("port must be in 0..65535, got " + port);
        apiKeys = apiKeys == null ? List.of() : List.copyOf(apiKeys);
        if (limits == null) limits = ServerLimits.defaults();
        if (sampling == null) sampling = SamplerParams.DEFAULT;
        stop = stop == null ? List.of() : List.copyOf(stop);
    }

    /** llama-server's defaults: 127.0.0.1:8080, no key, 600 s timeout; the limits of {@link ServerLimits#defaults()}. */
    public static ServerOptions defaults() {
        return new ServerOptions("127.0.0.1", 8080, null, List.of(), ServerLimits.defaults(), SamplerParams.DEFAULT, -1, List.of(), true);
    }

    /** A client that sends nothing, or reads nothing of its answer, for that long is dropped. */
    public int timeoutSeconds() { return limits.ioTimeoutSeconds(); }

    /** The largest request body. */
    public long maxBodyBytes() { return limits.maxBodyBytes(); }

    public ServerOptions withPort(int p) { return new ServerOptions(host, p, alias, apiKeys, limits, sampling, maxTokens, stop, webUi); }
    public ServerOptions withHost(String h) { return new ServerOptions(h, port, alias, apiKeys, limits, sampling, maxTokens, stop, webUi); }
    public ServerOptions withAlias(String a) { return new ServerOptions(host, port, a, apiKeys, limits, sampling, maxTokens, stop, webUi); }
    public ServerOptions withApiKeys(List<String> k) { return new ServerOptions(host, port, alias, k, limits, sampling, maxTokens, stop, webUi); }
    public ServerOptions withLimits(ServerLimits l) { return new ServerOptions(host, port, alias, apiKeys, l, sampling, maxTokens, stop, webUi); }
    public ServerOptions withTimeout(int s) { return withLimits(limits.withIoTimeout(s)); }
    public ServerOptions withMaxBody(long b) { return withLimits(limits.withMaxBody(b)); }
    public ServerOptions withSampling(SamplerParams p) { return new ServerOptions(host, port, alias, apiKeys, limits, p, maxTokens, stop, webUi); }
    public ServerOptions withMaxTokens(int n) { return new ServerOptions(host, port, alias, apiKeys, limits, sampling, n, stop, webUi); }
    public ServerOptions withStop(List<String> s) { return new ServerOptions(host, port, alias, apiKeys, limits, sampling, maxTokens, s, webUi); }
    public ServerOptions withWebUi(boolean w) { return new ServerOptions(host, port, alias, apiKeys, limits, sampling, maxTokens, stop, w); }
}
