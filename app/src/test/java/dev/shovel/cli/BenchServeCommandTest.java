package dev.shovel.cli;

import static dev.shovel.cli.CliRun.assertOneLineError;
import static dev.shovel.cli.CliRun.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** {@code shovel bench-serve} against {@code shovel serve}: the table, and the server's own count of what it was asked. */
class BenchServeCommandTest {

    static double metric(ServeCommand.Running r, String name) throws Exception {
        HttpResponse<String> m = ServeCommandTest.HTTP.send(HttpRequest.newBuilder(URI.create(r.server().url() + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString());
        Matcher x = Pattern.compile("(?m)^" + Pattern.quote(name) + " ([0-9.e+-]+)$").matcher(m.body());
        assertTrue(x.find(), name + " in " + m.body());
        return Double.parseDouble(x.group(1));
    }

    @Test
    void rowsPerClientCountAndEveryRequestGeneratesMaxTokens() throws Exception {
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        try (ServeCommand.Running r = ServeCommandTest.start(log, "--port", "0", "-t", "2", "-np", "2")) {
            CliRun.Run b = run("", "bench-serve", "--url", r.server().url(), "-c", "1,2", "--requests", "3",
                    "--prompt-tokens", "20", "--max-tokens", "12");
            assertEquals(0, b.code(), b.out() + b.err());
            List<String> rows = b.out().lines().filter(l -> l.startsWith("| http")).toList();
            assertEquals(2, rows.size(), b.out());
            for (int i = 0; i < 2; i++) {
                String[] cells = rows.get(i).split("\\|");
                assertEquals(String.valueOf(i + 1), cells[2].strip(), "clients");
                assertEquals("3", cells[3].strip(), "requests");
                assertEquals("pp20+tg12", cells[4].strip(), "the server's usage: exact prompt tokens, ignore_eos honoured");
                assertEquals("0", cells[5].strip(), "failed");
                assertTrue(Double.parseDouble(cells[10].strip()) > 0, rows.get(i));
            }
            // the server counted 12 generated tokens for each of the 7 requests (one warm-up), as the table says
            assertEquals(7 * 12, metric(r, "shovel:tokens_predicted_total"), 0);
            assertEquals(7, metric(r, "shovel:requests_total"), 0);
            // the latency histograms: one first token and one queue time per request, 11 gaps between 12 tokens
            assertEquals(7, metric(r, "shovel:time_to_first_token_seconds_count"), 0);
            assertEquals(7, metric(r, "shovel:queue_time_seconds_count"), 0);
            assertEquals(7 * 11, metric(r, "shovel:inter_token_latency_seconds_count"), 0);
            assertEquals(7 * 11, metric(r, "shovel:inter_token_latency_seconds_bucket{le=\"+Inf\"}"), 0);
            assertTrue(metric(r, "shovel:inter_token_latency_seconds_bucket{le=\"2.5\"}") <= 7 * 11);
            assertTrue(metric(r, "shovel:time_to_first_token_seconds_sum") > 0);
        }
    }

    @Test
    void noServerIsAOneLineError() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        CliRun.Run b = run("", "bench-serve", "--url", "http://127.0.0.1:" + port, "--requests", "1");
        assertOneLineError(b, "cannot connect");
        assertOneLineError(run("", "bench-serve", "--url", "localhost:8080"), "--url");
        assertOneLineError(run("", "bench-serve", "--max-tokens", "0"), "--max-tokens");
    }
}
