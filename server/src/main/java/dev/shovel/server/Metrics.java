package dev.shovel.server;

import dev.shovel.engine.EngineStats;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/** Prometheus text for {@code /metrics}: the engine's totals and load, and HTTP answers by status. */
public final class Metrics {
    private final ConcurrentHashMap<Integer, LongAdder> byStatus = new ConcurrentHashMap<>();

    void http(int status) { byStatus.computeIfAbsent(status, k -> new LongAdder()).increment(); }

    String render(EngineStats s, int slots) {
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
        b.append("# HELP shovel:http_responses_total HTTP responses by status.\n# TYPE shovel:http_responses_total counter\n");
        byStatus.entrySet().stream().sorted(java.util.Map.Entry.comparingByKey()).forEach(e ->
                b.append("shovel:http_responses_total{code=\"").append(e.getKey()).append("\"} ").append(e.getValue().sum()).append('\n'));
        return b.toString();
    }

    private static void metric(StringBuilder b, String name, String type, String help, double value) {
        b.append("# HELP ").append(name).append(' ').append(help).append('\n');
        b.append("# TYPE ").append(name).append(' ').append(type).append('\n');
        b.append(name).append(' ');
        if (value == Math.rint(value) && Math.abs(value) < 1e15) b.append((long) value);
        else b.append(String.format(Locale.ROOT, "%.6f", value));
        b.append('\n');
    }
}
