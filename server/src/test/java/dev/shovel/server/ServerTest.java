package dev.shovel.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.shovel.api.ModelOptions;
import dev.shovel.api.Session;
import dev.shovel.engine.EngineOptions;
import dev.shovel.engine.SlotInfo;
import dev.shovel.gen.SamplerParams;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The server's endpoints over plain HTTP, against the embedded stories260K model (context 512). */
class ServerTest {
    static TestServer s;

    @BeforeAll
    static void start() {
        s = TestServer.stories(4, ServerOptions.defaults().withApiKeys(List.of("k-one", "k-two")).withMaxBody(64 << 10));
    }

    @AfterAll
    static void stop() { s.close(); }

    static void assertError(TestServer.Reply r, int status, String type, String fragment) {
        assertEquals(status, r.status(), r.body());
        JsonNode e = r.json().get("error");
        assertNotNull(e, r.body());
        assertEquals(type, e.get("type").asText(), r.body());
        assertEquals(status, e.get("code").asInt());
        assertTrue(e.get("message").asText().contains(fragment), "message names the problem: " + r.body());
        assertFalse(r.body().contains("\tat ") || r.body().contains("Exception"), "no stack trace: " + r.body());
    }

    static String chat(String user, int maxTokens) {
        return "{\"model\":\"x\",\"messages\":[{\"role\":\"user\",\"content\":\"" + user + "\"}],\"max_tokens\":" + maxTokens + ",\"temperature\":0}";
    }

    @Test
    void healthNeedsNoKeyAndEverythingElseDoes() {
        var health = s.send(HttpRequest.newBuilder(URI.create(s.url("/health"))).build());
        assertEquals(200, health.status());
        assertEquals("ok", health.json().get("status").asText());
        var none = s.send(HttpRequest.newBuilder(URI.create(s.url("/v1/models"))).build());
        assertError(none, 401, "authentication_error", "API key");
        var wrong = s.send(HttpRequest.newBuilder(URI.create(s.url("/v1/models"))).header("Authorization", "Bearer k-three").build());
        assertError(wrong, 401, "authentication_error", "Invalid API key");
        var second = s.send(HttpRequest.newBuilder(URI.create(s.url("/v1/models"))).header("Authorization", "Bearer k-two").build());
        assertEquals(200, second.status());
        var header = s.send(HttpRequest.newBuilder(URI.create(s.url("/v1/models"))).header("X-Api-Key", "k-one").build());
        assertEquals(200, header.status());
        var unknownNoKey = s.send(HttpRequest.newBuilder(URI.create(s.url("/v2/nothing"))).build());
        assertEquals(401, unknownNoKey.status(), "the key is checked before the path");
    }

    @Test
    void modelsListsTheModel() {
        JsonNode m = s.get("/v1/models").json();
        assertEquals("list", m.get("object").asText());
        assertEquals("test-model", m.get("data").get(0).get("id").asText());
        assertEquals("model", m.get("data").get(0).get("object").asText());
        assertEquals(200, s.get("/v1/models/test-model").status());
        assertError(s.get("/v1/models/other"), 404, "not_found_error", "other");
    }

    @Test
    void unknownPathsWrongMethodsAndBadBodiesAreOpenAiErrors() {
        assertError(s.get("/v1/nothing"), 404, "not_found_error", "/v1/nothing");
        assertError(s.get("/v1/chat/completions"), 405, "invalid_request_error", "POST");
        assertError(s.post("/v1/chat/completions", "{\"messages\": [}"), 400, "invalid_request_error", "not valid JSON");
        assertError(s.post("/v1/chat/completions", "[1, 2]"), 400, "invalid_request_error", "JSON object");
        assertError(s.post("/v1/chat/completions", "{}"), 400, "invalid_request_error", "'messages'");
        assertError(s.post("/v1/chat/completions", "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"temperature\":\"hot\"}"),
                400, "invalid_request_error", "'temperature' must be a number");
        assertError(s.post("/v1/chat/completions", "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"max_tokens\":1.5}"),
                400, "invalid_request_error", "'max_tokens' must be an integer");
        assertError(s.post("/v1/chat/completions", "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"n\":3}"),
                400, "invalid_request_error", "'n' must be 1");
        assertError(s.post("/v1/chat/completions", "{\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"image_url\"}]}]}"),
                400, "invalid_request_error", "only text parts");
        assertError(s.post("/v1/completions", "{\"prompt\": 5}"), 400, "invalid_request_error", "'prompt'");
        assertError(s.post("/v1/completions", "{\"prompt\": [1, 99999]}"), 400, "invalid_request_error", "99999");
        assertError(s.post("/v1/chat/completions", "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"top_logprobs\":2}"),
                400, "invalid_request_error", "logprobs");
    }

    @Test
    void unknownFieldsAreIgnored() {
        var r = s.post("/v1/chat/completions", "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"max_tokens\":3,\"frobnicate\":{\"a\":[1]},\"user\":\"me\"}");
        assertEquals(200, r.status(), r.body());
    }

    @Test
    void aBodyOverTheLimitIs413() {
        String big = "{\"prompt\":\"" + "a".repeat(70 << 10) + "\"}";
        assertError(s.post("/v1/completions", big), 413, "invalid_request_error", "larger than the limit");
    }

    @Test
    void aPromptLongerThanTheContextNamesBothCounts() {
        var r = s.post("/v1/completions", "{\"prompt\":\"" + "hello ".repeat(700) + "\",\"max_tokens\":4}");
        assertError(r, 400, "exceed_context_size_error", "(512 tokens)");
        assertTrue(r.json().get("error").get("message").asText().matches(".*prompt is \\d+ tokens.*"), r.body());
    }

    @Test
    void maxTokensBeyondTheRoomLeftIsClampedNotRefused() {
        JsonNode r = s.post("/v1/completions", "{\"prompt\":\"Once upon a time\",\"max_tokens\":100000,\"temperature\":0,\"logit_bias\":{\"1\":false,\"2\":false}}").json();
        JsonNode u = r.get("usage");
        assertEquals(512 - u.get("prompt_tokens").asInt(), u.get("completion_tokens").asInt(), r.toString());
        assertEquals("length", r.get("choices").get(0).get("finish_reason").asText());
    }

    @Test
    void chatAnswerHasOpenAisShapeAndUsage() {
        JsonNode r = s.post("/v1/chat/completions", chat("Tell me a story.", 12)).json();
        assertEquals("chat.completion", r.get("object").asText());
        assertTrue(r.get("id").asText().startsWith("chatcmpl-"));
        JsonNode c = r.get("choices").get(0);
        assertEquals(0, c.get("index").asInt());
        assertEquals("assistant", c.get("message").get("role").asText());
        assertFalse(c.get("message").get("content").asText().isEmpty());
        assertEquals("length", c.get("finish_reason").asText());
        JsonNode u = r.get("usage");
        assertEquals(12, u.get("completion_tokens").asInt());
        assertEquals(u.get("prompt_tokens").asInt() + 12, u.get("total_tokens").asInt());
        assertTrue(u.get("prompt_tokens_details").get("cached_tokens").isInt());
    }

    @Test
    void temperatureZeroGivesWhatTheSingleSequencePathGives() {
        String prompt = "Lily and Tom";
        JsonNode r = s.post("/v1/completions", "{\"prompt\":\"" + prompt + "\",\"max_tokens\":40,\"temperature\":0}").json();
        try (Session session = s.model.newSession()) {
            String want = session.generate(prompt, dev.shovel.api.GenerationOptions.greedy(40), null).text();
            assertEquals(want, r.get("choices").get(0).get("text").asText());
        }
    }

    @Test
    void aStopStringEndsTheTextAndIsLeftOut() {
        String free = s.post("/v1/completions", "{\"prompt\":\"Once upon a time\",\"max_tokens\":40,\"temperature\":0}").json()
                .get("choices").get(0).get("text").asText();
        String stop = free.substring(15, 19);
        JsonNode r = s.post("/v1/completions", "{\"prompt\":\"Once upon a time\",\"max_tokens\":40,\"temperature\":0,\"stop\":[\""
                + stop + "\"]}").json();
        assertEquals(free.substring(0, free.indexOf(stop)), r.get("choices").get(0).get("text").asText());
        assertEquals("stop", r.get("choices").get(0).get("finish_reason").asText());
    }

    @Test
    void streamingSendsRoleFirstThenContentThenFinishUsageAndDone() {
        String body = chat("Hi", 8).replace("}", "") ; // reopen the object to add fields
        body = chat("Hi", 8).substring(0, chat("Hi", 8).length() - 1) + ",\"stream\":true,\"stream_options\":{\"include_usage\":true}}";
        var r = s.post("/v1/chat/completions", body);
        assertEquals(200, r.status());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/event-stream"));
        List<String> events = r.body().lines().filter(l -> l.startsWith("data: ")).map(l -> l.substring(6)).toList();
        assertEquals("[DONE]", events.get(events.size() - 1));
        JsonNode first = TestServer.Reply.class.cast(new TestServer.Reply(200, events.get(0), null)).json();
        assertEquals("assistant", first.get("choices").get(0).get("delta").get("role").asText());
        StringBuilder text = new StringBuilder();
        int finishes = 0;
        for (String e : events.subList(0, events.size() - 2)) {
            JsonNode c = new TestServer.Reply(200, e, null).json().get("choices").get(0);
            assertEquals(0, c.get("index").asInt());
            if (c.get("delta").has("content")) text.append(c.get("delta").get("content").asText());
            if (!c.get("finish_reason").isNull()) finishes++;
        }
        assertEquals(1, finishes);
        for (String e : events.subList(0, events.size() - 2)) {
            assertTrue(new TestServer.Reply(200, e, null).json().get("usage").isNull(), "usage: null before the last chunk");
        }
        JsonNode usage = new TestServer.Reply(200, events.get(events.size() - 2), null).json();
        assertEquals(0, usage.get("choices").size());
        assertEquals(8, usage.get("usage").get("completion_tokens").asInt());
        String whole = s.post("/v1/chat/completions", chat("Hi", 8)).json().get("choices").get(0).get("message").get("content").asText();
        assertEquals(whole, text.toString(), "the stream adds up to the answer");
    }

    @Test
    void aFollowUpTurnReusesTheCachedPrefix() {
        String turn1 = "{\"messages\":[{\"role\":\"user\",\"content\":\"Tell me about a dog named Max.\"}],\"max_tokens\":10,\"temperature\":0}";
        JsonNode a = s.post("/v1/chat/completions", turn1).json();
        String reply = a.get("choices").get(0).get("message").get("content").asText();
        String turn2 = "{\"messages\":[{\"role\":\"user\",\"content\":\"Tell me about a dog named Max.\"},{\"role\":\"assistant\",\"content\":"
                + TestServer.JSON.valueToTree(reply) + "},{\"role\":\"user\",\"content\":\"And then?\"}],\"max_tokens\":10,\"temperature\":0}";
        JsonNode b = s.post("/v1/chat/completions", turn2).json();
        int cached = b.get("usage").get("prompt_tokens_details").get("cached_tokens").asInt();
        assertTrue(cached >= a.get("usage").get("prompt_tokens").asInt(), "the first turn's prompt is reused: " + b.get("usage"));
    }

    @Test
    void logprobsInChatAndLegacyShapes() {
        JsonNode c = s.post("/v1/chat/completions", chat("Hi", 4).substring(0, chat("Hi", 4).length() - 1)
                + ",\"logprobs\":true,\"top_logprobs\":3}").json().get("choices").get(0).get("logprobs").get("content");
        assertEquals(4, c.size());
        for (JsonNode e : c) {
            assertTrue(e.get("token").isTextual());
            assertTrue(e.get("logprob").asDouble() <= 0);
            assertTrue(e.get("bytes").isArray());
            assertEquals(3, e.get("top_logprobs").size());
            assertEquals(e.get("top_logprobs").get(0).get("token").asText(), e.get("token").asText(), "greedy takes the most likely");
        }
        JsonNode l = s.post("/v1/completions", "{\"prompt\":\"Once upon\",\"max_tokens\":4,\"temperature\":0,\"logprobs\":2}").json()
                .get("choices").get(0).get("logprobs");
        assertEquals(4, l.get("tokens").size());
        assertEquals(4, l.get("token_logprobs").size());
        assertEquals(2, l.get("top_logprobs").get(0).size());
        assertEquals(0, l.get("text_offset").get(0).asInt());
    }

    @Test
    void tokenizeAndDetokenizeRoundTrip() {
        JsonNode t = s.post("/tokenize", "{\"content\":\"Once upon a time\",\"add_special\":true}").json().get("tokens");
        assertEquals(1, t.get(0).asInt(), "BOS first");
        JsonNode d = s.post("/detokenize", "{\"tokens\":" + t + "}").json();
        assertTrue(d.get("content").asText().endsWith("Once upon a time"), d.toString());
        JsonNode p = s.post("/tokenize", "{\"content\":\"Once\",\"with_pieces\":true}").json().get("tokens").get(0);
        assertEquals(" Once", p.get("piece").asText());
        assertError(s.post("/detokenize", "{\"tokens\":[1, -5]}"), 400, "invalid_request_error", "-5");
    }

    @Test
    void slotsAndMetricsReport() {
        s.post("/v1/completions", "{\"prompt\":\"Once\",\"max_tokens\":2}");
        JsonNode slots = s.get("/slots").json();
        assertEquals(4, slots.size());
        for (JsonNode x : slots) {
            assertTrue(x.has("id") && x.has("is_processing") && x.has("n_ctx") && x.has("cached_tokens"), x.toString());
        }
        var m = s.get("/metrics");
        assertEquals(200, m.status());
        assertTrue(m.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"));
        for (String name : List.of("shovel:requests_total", "shovel:prompt_tokens_total", "shovel:tokens_predicted_total",
                "shovel:prompt_seconds_total", "shovel:requests_processing", "shovel:requests_deferred")) {
            assertTrue(m.body().contains("# TYPE " + name + " "), name);
        }
        long generated = m.body().lines().filter(l -> l.startsWith("shovel:tokens_predicted_total ")).mapToLong(l -> Long.parseLong(l.split(" ")[1])).sum();
        assertTrue(generated >= 2);
    }

    @Test
    void theChatPageIsServedWithoutAKey() {
        var r = s.send(HttpRequest.newBuilder(URI.create(s.url("/"))).build());
        assertEquals(200, r.status());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/html"));
        assertTrue(r.body().contains("/v1/chat/completions"));
    }

    @Test
    void aClientThatHangsUpMidStreamCancelsItsRequest() throws Exception {
        try (Raw raw = new Raw(s.server.port())) {
            raw.post("/v1/completions", "k-one", "{\"prompt\":\"Once upon a time\",\"max_tokens\":100000,\"stream\":true,\"logit_bias\":{\"1\":false,\"2\":false}}");
            assertEquals(200, raw.status());
            assertNotNull(raw.until("data: "));
        }
        assertTrue(idleWithin(5000), "the slot is free again: " + s.engine.slots());
    }

    static boolean idleWithin(long ms) throws InterruptedException {
        long end = System.currentTimeMillis() + ms;
        while (System.currentTimeMillis() < end) {
            if (s.engine.slots().stream().noneMatch(SlotInfo::processing) && s.engine.stats().queued() == 0) return true;
            Thread.sleep(20);
        }
        return false;
    }

    @Test
    void aClientThatStopsSendingItsBodyIsDropped() throws Exception {
        try (TestServer t = new TestServer(null, ModelOptions.defaults().withThreads(1).withCtxSize(64), EngineOptions.defaults().withSlots(1),
                ServerOptions.defaults().withTimeout(2))) {
            try (Raw raw = new Raw(t.server.port())) {
                raw.post("/v1/completions", null, "{\"prompt\":\"Once upon a time\",\"max_tokens\":4}", 10);
                long t0 = System.nanoTime();
                int st;
                try {
                    st = raw.status();
                } catch (IOException e) {
                    st = -1;
                }
                long ms = (System.nanoTime() - t0) / 1_000_000;
                assertTrue(st == -1 || st >= 400, "no answer to half a body: " + st);
                assertTrue(ms < 10_000, "dropped after the timeout, not left hanging: " + ms + " ms");
            }
        }
    }

    static SamplerParams unused() { return SamplerParams.DEFAULT; }
}
