package dev.shovel.server;

import dev.shovel.gen.SamplerParams;
import java.util.List;

/**
 * How the server listens and what a request gets when it leaves a field out. {@code apiKeys} empty: no key needed.
 * {@code timeoutSeconds}: a client that sends nothing, or reads nothing of its answer, for that long is dropped.
 * {@code maxBodyBytes}: the largest request body. {@code sampling}, {@code maxTokens} (-1: until the end) and {@code stop} are
 * the defaults of the generation fields.
 */
public record ServerOptions(String host, int port, String alias, List<String> apiKeys, int timeoutSeconds,
                            long maxBodyBytes, SamplerParams sampling, int maxTokens, List<String> stop, boolean webUi) {

    public ServerOptions {
        if (host == null || host.isBlank()) host = "127.0.0.1";
        if (port < 0 || port > 65535) throw new IllegalArgumentException("port must be in 0..65535, got " + port);
        apiKeys = apiKeys == null ? List.of() : List.copyOf(apiKeys);
        if (timeoutSeconds < 1) throw new IllegalArgumentException("timeout must be at least 1 second, got " + timeoutSeconds);
        if (maxBodyBytes < 1) throw new IllegalArgumentException("body limit must be at least 1 byte, got " + maxBodyBytes);
        if (sampling == null) sampling = SamplerParams.DEFAULT;
        stop = stop == null ? List.of() : List.copyOf(stop);
    }

    /** llama-server's defaults: 127.0.0.1:8080, no key, 600 s timeout; a 10 MiB body limit. */
    public static ServerOptions defaults() {
        return new ServerOptions("127.0.0.1", 8080, null, List.of(), 600, 10L << 20, SamplerParams.DEFAULT, -1, List.of(), true);
    }

    public ServerOptions withPort(int p) { return new ServerOptions(host, p, alias, apiKeys, timeoutSeconds, maxBodyBytes, sampling, maxTokens, stop, webUi); }
    public ServerOptions withHost(String h) { return new ServerOptions(h, port, alias, apiKeys, timeoutSeconds, maxBodyBytes, sampling, maxTokens, stop, webUi); }
    public ServerOptions withAlias(String a) { return new ServerOptions(host, port, a, apiKeys, timeoutSeconds, maxBodyBytes, sampling, maxTokens, stop, webUi); }
    public ServerOptions withApiKeys(List<String> k) { return new ServerOptions(host, port, alias, k, timeoutSeconds, maxBodyBytes, sampling, maxTokens, stop, webUi); }
    public ServerOptions withTimeout(int s) { return new ServerOptions(host, port, alias, apiKeys, s, maxBodyBytes, sampling, maxTokens, stop, webUi); }
    public ServerOptions withMaxBody(long b) { return new ServerOptions(host, port, alias, apiKeys, timeoutSeconds, b, sampling, maxTokens, stop, webUi); }
    public ServerOptions withSampling(SamplerParams p) { return new ServerOptions(host, port, alias, apiKeys, timeoutSeconds, maxBodyBytes, p, maxTokens, stop, webUi); }
    public ServerOptions withMaxTokens(int n) { return new ServerOptions(host, port, alias, apiKeys, timeoutSeconds, maxBodyBytes, sampling, n, stop, webUi); }
    public ServerOptions withStop(List<String> s) { return new ServerOptions(host, port, alias, apiKeys, timeoutSeconds, maxBodyBytes, sampling, maxTokens, s, webUi); }
    public ServerOptions withWebUi(boolean w) { return new ServerOptions(host, port, alias, apiKeys, timeoutSeconds, maxBodyBytes, sampling, maxTokens, stop, w); }
}
