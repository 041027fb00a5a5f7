package dev.shovel.cli;

import dev.shovel.ShovelException;
import dev.shovel.server.LoadGenerator;
import dev.shovel.server.LoadGenerator.Options;
import dev.shovel.server.LoadGenerator.Result;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Load for an OpenAI-compatible server (shovel serve, llama-server, ...): one row per client count, llama-bench's table
 * style, aggregate generated tokens/s in the last column.
 */
@Command(name = "bench-serve", mixinStandardHelpOptions = true,
        description = "Load an OpenAI-compatible server with concurrent streamed completions; print aggregate tokens/s, "
                + "time to first token and inter-token latency.")
public final class BenchServeCommand implements Callable<Integer> {
    @Option(names = "--url", paramLabel = "URL", description = "the server (default: ${DEFAULT-VALUE})", defaultValue = "http://127.0.0.1:8080")
    String url;

    @Option(names = {"-c", "--clients"}, paramLabel = "N", split = ",", description = "concurrent clients, one row each, e.g. 1,2,4,8 (default: ${DEFAULT-VALUE})", defaultValue = "1")
    List<Integer> clients;

    @Option(names = "--requests", paramLabel = "R", description = "requests per row (default: 4 per client, at least 8)")
    Integer requests;

    @Option(names = "--prompt-tokens", paramLabel = "P", description = "prompt tokens per request (default: ${DEFAULT-VALUE})", defaultValue = "64")
    int promptTokens;

    @Option(names = "--max-tokens", paramLabel = "T", description = "tokens to generate per request (default: ${DEFAULT-VALUE})", defaultValue = "32")
    int maxTokens;

    @Option(names = {"-m", "--model"}, paramLabel = "NAME", description = "the request's 'model' field")
    String model;

    @Option(names = "--api-key", paramLabel = "KEY", description = "sent as 'Authorization: Bearer KEY'")
    String apiKey;

    @Option(names = "--warmup", paramLabel = "N", description = "untimed requests before the first row (default: ${DEFAULT-VALUE})", defaultValue = "1")
    int warmup;

    @Option(names = "--seed", paramLabel = "N", description = "seed of the prompts (default: ${DEFAULT-VALUE})", defaultValue = "42")
    long seed;

    @Option(names = "--timeout", paramLabel = "S", description = "seconds one request may take (default: ${DEFAULT-VALUE})", defaultValue = "600")
    int timeout;

    @Override
    public Integer call() {
        if (promptTokens < 1) throw new ShovelException("--prompt-tokens must be >= 1, got " + promptTokens);
        if (maxTokens < 1) throw new ShovelException("--max-tokens must be >= 1, got " + maxTokens);
        if (requests != null && requests < 1) throw new ShovelException("--requests must be >= 1, got " + requests);
        if (timeout < 1) throw new ShovelException("--timeout must be >= 1, got " + timeout);
        for (int c : clients) if (c < 1) throw new ShovelException("--clients must be >= 1, got " + c);
        URI u;
        try {
            u = URI.create(url);
            if (u.getScheme() == null || !u.getScheme().startsWith("http") || u.getHost() == null) throw new IllegalArgumentException();
        } catch (IllegalArgumentException e) {
            throw new ShovelException("--url must be an http:// or https:// address, got '" + url + "'");
        }
        LoadGenerator gen = new LoadGenerator(u, apiKey);
        Duration t = Duration.ofSeconds(timeout);
        for (int i = 0, done = 0; done < warmup; i++) { // a few tries: llama-server fails some random-weight outputs
            Result w = gen.run(new Options(model, 1, 1, promptTokens, maxTokens, seed + 999_983 + i, t));
            if (!w.ok().isEmpty()) done++;
            else if (i - done >= 4) throw new ShovelException("the server failed the warm-up request: " + w.samples().get(0).error());
        }
        System.out.printf("| %-32s | %7s | %8s | %10s | %8s | %10s | %10s | %9s | %9s | %10s |%n", "server", "clients", "requests",
                "test", "failed", "ttft p50", "ttft p95", "itl p50", "itl p95", "t/s");
        System.out.printf("| %-32s | %7s | %8s | %10s | %8s | %10s | %10s | %9s | %9s | %10s |%n", "-".repeat(32), "-".repeat(6) + ":",
                "-".repeat(7) + ":", "-".repeat(9) + ":", "-".repeat(7) + ":", "-".repeat(9) + ":", "-".repeat(9) + ":",
                "-".repeat(8) + ":", "-".repeat(8) + ":", "-".repeat(9) + ":");
        int failedRows = 0;
        String lastError = null;
        for (int row = 0; row < clients.size(); row++) {
            int c = clients.get(row), r = requests != null ? requests : Math.max(8, 4 * c);
            // prompts new to the server in every row: no prefix cache helps
            Result res = gen.run(new Options(model, c, r, promptTokens, maxTokens, seed + 7919L * (row + 1), t));
            int failed = res.samples().size() - res.ok().size();
            if (failed > 0) lastError = res.samples().stream().filter(s -> s.error() != null).findFirst().get().error();
            if (res.ok().isEmpty()) failedRows++;
            String test = String.format("pp%.0f+tg%.0f", res.meanPromptTokens(), res.meanGeneratedTokens());
            System.out.printf("| %-32s | %7d | %8d | %10s | %8d | %7.0f ms | %7.0f ms | %6.1f ms | %6.1f ms | %10.2f |%n",
                    shorten(url, 32), c, r, test, failed, res.ttft(0.5) / 1e6, res.ttft(0.95) / 1e6, res.itl(0.5) / 1e6,
                    res.itl(0.95) / 1e6, res.tokensPerSecond());
        }
        if (lastError != null) System.err.println("error: some requests failed, e.g.: " + lastError);
        return failedRows > 0 ? 1 : 0;
    }

    private static String shorten(String s, int n) { return s.length() <= n ? s : "..." + s.substring(s.length() - n + 3); }
}
