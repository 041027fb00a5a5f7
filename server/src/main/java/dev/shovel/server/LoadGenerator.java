package dev.shovel.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.shovel.ShovelException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * Load for any OpenAI-compatible server: {@code clients} streams, each sending streamed text completions one after
 * another until {@code requests} have been sent. Prompts are token ids (exactly {@code promptTokens}, windows of a
 * tokenized text, different for every request so no prefix cache helps) where the server has llama-server's
 * {@code /tokenize}; otherwise text of about that many tokens. {@code ignore_eos} asks for exactly {@code maxTokens}.
 * Measures time to first token, the gaps between streamed chunks, and generated tokens per second over the whole run.
 */
public final class LoadGenerator {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String[] WORDS = ("the of and to in is was for on that with as by at from his her they this were "
            + "had are but not which be one all their an has been who more when will would there said up out so can what "
            + "about into them some could time than first other then its over only new two people like year after years "
            + "also may most made these many any where way back through much before well down should because each just "
            + "those how too little state good very make world still own see men work long here get both between life "
            + "being under never day same another know while last might us great old off come since against go came right "
            + "used take three garden river morning window letter summer mountain village winter story market music ocean").split(" ");

    /** One run: the request's model field (or null), concurrent clients, requests, and each request's shape. */
    public record Options(String model, int clients, int requests, int promptTokens, int maxTokens, long seed, Duration timeout) {}

    /** One request's measurements: times in nanoseconds from its send; {@code error} set when it failed. */
    public record Sample(int promptTokens, int generatedTokens, long ttft, long total, long[] gaps, String error) {}

    /** A run's samples and its wall time. */
    public record Result(Options options, List<Sample> samples, long wallNanos) {
        public List<Sample> ok() { return samples.stream().filter(s -> s.error == null).toList(); }

        public long generated() { return ok().stream().mapToLong(Sample::generatedTokens).sum(); }

        /** Generated tokens per second, all clients together, over the run's wall time. */
        public double tokensPerSecond() { return wallNanos == 0 ? 0 : generated() * 1e9 / wallNanos; }

        public double ttft(double q) { return quantile(ok().stream().mapToLong(Sample::ttft).toArray(), q); }

        public double itl(double q) { return quantile(ok().stream().flatMapToLong(s -> Arrays.stream(s.gaps)).toArray(), q); }

        public double meanPromptTokens() { return ok().stream().mapToInt(Sample::promptTokens).average().orElse(0); }

        public double meanGeneratedTokens() { return ok().stream().mapToInt(Sample::generatedTokens).average().orElse(0); }
    }

    private final HttpClient http;
    private final URI base;
    private final String apiKey;
    private int[] corpus; // tokenized text the token prompts are cut from; null: the server has no /tokenize

    public LoadGenerator(URI url, String apiKey) {
        String u = url.toString();
        this.base = URI.create(u.endsWith("/") ? u : u + "/");
        this.apiKey = apiKey;
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10))
                .executor(Executors.newVirtualThreadPerTaskExecutor()).build();
    }

    /** Tokenizes a long random text once with the server's {@code /tokenize}, if it has one. */
    void prepare(int promptTokens, long seed) {
        if (corpus != null && corpus.length >= 4L * promptTokens) return;
        String text = words(Math.max(4096, 8 * promptTokens), new SplittableRandom(seed)); // windows rarely share a start
        ObjectNode body = JSON.createObjectNode().put("content", text).put("add_special", false);
        try {
            HttpResponse<String> r = http.send(post("tokenize", body).timeout(Duration.ofMinutes(1)).build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) return;
            JsonNode t = JSON.readTree(r.body()).get("tokens");
            if (t == null || !t.isArray() || t.size() < promptTokens) return;
            int[] ids = new int[t.size()];
            for (int i = 0; i < ids.length; i++) {
                JsonNode x = t.get(i);
                ids[i] = x.isObject() ? x.path("id").asInt() : x.asInt(); // with_pieces answers objects
            }
            corpus = ids;
        } catch (ConnectException e) {
            throw new ShovelException("cannot connect to " + base + ": is the server running?");
        } catch (IOException e) {
            // no /tokenize: text prompts
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ShovelException("interrupted");
        }
    }

    /** Runs {@code o.requests()} requests over {@code o.clients()} concurrent streams. */
    public Result run(Options o) {
        prepare(o.promptTokens(), o.seed());
        AtomicInteger next = new AtomicInteger();
        List<Sample> samples = java.util.Collections.synchronizedList(new ArrayList<>());
        long t0 = System.nanoTime();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> fs = new ArrayList<>();
            for (int c = 0; c < o.clients(); c++) {
                fs.add(pool.submit(() -> {
                    for (int i; (i = next.getAndIncrement()) < o.requests(); ) samples.add(one(o, i));
                }));
            }
            for (Future<?> f : fs) f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ShovelException("interrupted");
        } catch (java.util.concurrent.ExecutionException e) {
            throw new ShovelException("load generator failed: " + e.getCause());
        }
        return new Result(o, List.copyOf(samples), System.nanoTime() - t0);
    }

    /** One streamed completion: request {@code i}'s prompt, timed from the send. */
    Sample one(Options o, int i) {
        SplittableRandom rnd = new SplittableRandom(o.seed() * 1_000_003L + i);
        ObjectNode body = JSON.createObjectNode();
        if (o.model() != null) body.put("model", o.model());
        if (corpus != null) {
            ArrayNode p = body.putArray("prompt");
            int at = rnd.nextInt(corpus.length - o.promptTokens() + 1);
            for (int k = 0; k < o.promptTokens(); k++) p.add(corpus[at + k]);
        } else {
            body.put("prompt", "Request " + i + ": " + words(Math.max(1, o.promptTokens() * 3 / 4), rnd));
        }
        body.put("max_tokens", o.maxTokens()).put("stream", true).put("ignore_eos", true).put("seed", o.seed() + i);
        body.putObject("stream_options").put("include_usage", true);
        long start = System.nanoTime();
        long first = 0, last = 0;
        long[] gaps = new long[Math.max(16, o.maxTokens())];
        int nGaps = 0, chunks = 0, prompt = corpus != null ? o.promptTokens() : -1, generated = -1;
        try {
            HttpResponse<Stream<String>> r = http.send(post("v1/completions", body).timeout(o.timeout()).build(), HttpResponse.BodyHandlers.ofLines());
            try (Stream<String> lines = r.body()) {
                if (r.statusCode() != 200) {
                    String text = String.join(" ", lines.limit(20).toList());
                    return failed(start, "HTTP " + r.statusCode() + ": " + errorMessage(text));
                }
                Iterator<String> it = lines.iterator();
                while (it.hasNext()) {
                    String line = it.next();
                    if (!line.startsWith("data:")) continue;
                    String data = line.substring(5).trim();
                    if (data.equals("[DONE]")) break;
                    JsonNode ev = JSON.readTree(data);
                    if (ev.has("error")) return failed(start, errorMessage(data));
                    long now = System.nanoTime();
                    JsonNode ch = ev.path("choices");
                    // a chunk per token (llama-server's and ours, text "" for a token that shows none); the last
                    // chunk, with finish_reason, may carry no token
                    JsonNode c0 = ch.isArray() && !ch.isEmpty() ? ch.get(0) : null;
                    boolean token = c0 != null && (c0.path("finish_reason").isNull() || c0.path("finish_reason").isMissingNode()
                            || !c0.path("text").asText("").isEmpty());
                    if (token) {
                        chunks++;
                        if (first == 0) first = now;
                        else {
                            if (nGaps == gaps.length) gaps = Arrays.copyOf(gaps, 2 * nGaps);
                            gaps[nGaps++] = now - last;
                        }
                        last = now;
                    }
                    JsonNode u = ev.get("usage");
                    if (u != null && u.isObject()) {
                        generated = u.path("completion_tokens").asInt(generated);
                        prompt = u.path("prompt_tokens").asInt(prompt);
                    }
                }
            }
        } catch (HttpTimeoutException e) {
            return failed(start, "timed out after " + o.timeout().toSeconds() + " s");
        } catch (ConnectException e) {
            return failed(start, "cannot connect to " + base);
        } catch (IOException e) {
            return failed(start, e.getClass().getSimpleName() + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return failed(start, "interrupted");
        }
        long end = System.nanoTime();
        if (first == 0) return failed(start, "no token was streamed");
        return new Sample(prompt, generated >= 0 ? generated : chunks, first - start, end - start, Arrays.copyOf(gaps, nGaps), null);
    }

    private static Sample failed(long start, String why) {
        return new Sample(0, 0, 0, System.nanoTime() - start, new long[0], why);
    }

    private static String errorMessage(String body) {
        try {
            JsonNode e = JSON.readTree(body).path("error");
            if (e.isObject() && e.has("message")) return e.get("message").asText();
        } catch (IOException | RuntimeException ignored) {
            // not JSON: the text itself
        }
        return body.length() > 200 ? body.substring(0, 200) + "..." : body;
    }

    private HttpRequest.Builder post(String path, ObjectNode body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString()));
        if (apiKey != null && !apiKey.isEmpty()) b.header("Authorization", "Bearer " + apiKey);
        return b;
    }

    private static String words(int n, SplittableRandom rnd) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < n; i++) {
            if (i > 0) b.append(i % 13 == 12 ? ". " : " ");
            b.append(WORDS[rnd.nextInt(WORDS.length)]);
        }
        return b.append('.').toString();
    }

    /** The {@code q} quantile (0..1) of {@code v}, nearest rank; NaN when empty. */
    static double quantile(long[] v, double q) {
        if (v.length == 0) return Double.NaN;
        long[] s = v.clone();
        Arrays.sort(s);
        int k = (int) Math.ceil(q * s.length) - 1;
        return s[Math.max(0, Math.min(s.length - 1, k))];
    }
}
