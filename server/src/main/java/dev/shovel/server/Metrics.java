package dev.shovel.server;

import dev.shovel.engine.EngineStats;
import dev.shovel.engine.Histogram;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/** Prometheus text for {@code /metrics}: the engine's totals and load, and HTTP answers by status. */
public final class Metrics {
    private final ConcurrentHashMap<Integer, LongAdder> byStatus = new ConcurrentHashMap<>();

    void http(int status) { byStatus.computeIfAbsent(status, k -> new LongAdder()).increment(); }

    String render(EngineStats s, int slots, dev.shovel.engine.Engine engine) {
        StringBuilder b = new StringBuilder();
        metric(b, "shovel:requests_total", "counter", "Generation requests finished.", s.requests());
        metric(b, "shovel:prompt_tokens_total", "counter", "Prompt tokens processed (cached ones not counted).", s.promptTokens());
        metric(b, "shovel:prompt_seconds_total", "counter", "Prompt processing time, summed over requests.", s.promptNanos() / 1e9);
        metric(b, "shovel:tokens_predicted_total", "counter", "Generated tokens.", s.generatedTokens());
        metric(b, "shovel:tokens_predicted_seconds_total", "counter", "Generation time, summed over requests.", s.genNanos() / 1e9);
        metric(b, "shovel:requests_processing", "gauge", "Busy slots.", s.busySlots());
        metric(b, "shovel:requests_deferred", "gauge", "Requests waiting in the queue for a slot.", s.queued());
        metric(b, "shovel:slots", "gauge", "Slots (--parallel).", slots);
        metric(b, "shovel:preemptions_total", "counter", "Requests that stepped back into the queue when the KV cells ran out.", s.preemptions());
        histogram(b, "shovel:time_to_first_token_seconds", "Time from a request's arrival to its first generated token.", engine.timeToFirstToken());
        histogram(b, "shovel:inter_token_latency_seconds", "Time between consecutive generated tokens of a request.", engine.interTokenLatency());
        histogram(b, "shovel:queue_time_seconds", "Time a request waited for a slot.", engine.queueTime());
        b.append("# HELP shovel:http_responses_total HTTP responses by status.\n# TYPE shovel:http_responses_total counter\n");
        byStatus.entrySet().stream().sorted(java.util.Map.Entry.comparingByKey()).forEach(e ->
                b.append("shovel:http_responses_total{code=\"").append(e.getKey()).append("\"} ").append(e.getValue().sum()).append('\n'));
        return b.toString();
    }

    private static void histogram(StringBuilder b, String name, String help, Histogram h) {
        b.append("# HELP ").append(name).append(' ').append(help).append('\n');
        b.append("# TYPE ").append(name).append(" histogram\n");
        double[] bounds = h.bounds();
        long[] c = h.cumulative();
        for (int i = 0; i < bounds.length; i++) {
            b.append(name).append("_bucket{le=\"").append(bound(bounds[i])).append("\"} ").append(c[i]).append('\n');
        }
        b.append(name).append("_bucket{le=\"+Inf\"} ").append(c[bounds.length]).append('\n');
        b.append(name).append("_sum ").append(String.format(Locale.ROOT, "%.6f", h.sum())).append('\n');
        b.append(name).append("_count ").append(c[bounds.length]).append('\n');
    }

    private static String bound(double v) { return v == Math.rint(v) ? String.valueOf((long) v) : String.valueOf(v); }

    private static void metric(StringBuilder b, String name, String type, String help, double value) {
        b.append("# HELP ").append(name).append(' ').append(help).append('\n');
        b.append("# TYPE ").append(name).append(' ').append(type).append('\n');
        b.append(name).append(' ');
        if (value == Math.rint(value) && Math.abs(value) < 1e15) b.append((long) value);
        else b.append(String.format(Locale.ROOT, "%.6f", value));
        b.append('\n');
    }
}
