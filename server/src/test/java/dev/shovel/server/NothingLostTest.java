package dev.shovel.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.shovel.api.ModelOptions;
import dev.shovel.engine.EngineOptions;
import dev.shovel.engine.SlotInfo;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A failed request never touches another slot's cache: with two slots, request A runs, then each kind of failure
 * (refused parameters, a body cut short, a prompt too long, bad token ids, a client gone mid-stream, a request cancelled
 * while it generates), and after each, A again reuses its cached prefix: the same cached-token count, the same greedy
 * text, and A's slot held exactly what it held before the failure.
 */
class NothingLostTest {
    static TestServer s;

    @BeforeAll
    static void start() {
        s = new TestServer(null, ModelOptions.defaults().withThreads(2).withCtxSize(4096), EngineOptions.defaults().withSlots(2),
                ServerOptions.defaults());
    }

    @AfterAll
    static void stop() { s.close(); }

    // a prompt longer than the answer: a slot is reused for a prompt that shares at least half of what it holds
    static final String A = "{\"prompt\":\"Once upon a time, there was a little girl named Lily. She loved to play outside in the park with "
            + "her friends and her big brown dog\",\"max_tokens\":12,\"temperature\":0}";

    static JsonNode runA() {
        TestServer.Reply r = s.post("/v1/completions", A);
        assertEquals(200, r.status(), r.body());
        return r.json();
    }

    static String text(JsonNode r) { return r.get("choices").get(0).get("text").asText(); }

    static int cached(JsonNode r) { return r.get("usage").get("prompt_tokens_details").get("cached_tokens").asInt(); }

    /** The slot holding the most cached tokens: A's, when it ran alone. */
    static SlotInfo slotOfA() {
        return s.engine.slots().stream().max((x, y) -> Integer.compare(x.cachedTokens(), y.cachedTokens())).orElseThrow();
    }

    static void idle() throws InterruptedException {
        long end = System.currentTimeMillis() + 15_000;
        while (System.currentTimeMillis() < end) {
            if (s.engine.slots().stream().noneMatch(SlotInfo::processing) && s.engine.stats().queued() == 0) return;
            Thread.sleep(20);
        }
        throw new AssertionError("slots still busy: " + s.engine.slots());
    }

    interface Failure {
        void run() throws Exception;
    }

    @Test
    void failedRequestsLeaveTheOtherSlotsCacheAsItWas() throws Exception {
        JsonNode first = runA();
        assertEquals(0, cached(first), "a cold cache");
        JsonNode again = runA();
        int prompt = again.get("usage").get("prompt_tokens").asInt();
        assertEquals(prompt - 1, cached(again), "the whole prompt but its last token comes from the cache");
        assertEquals(text(first), text(again));
        String want = text(first);
        int slot = slotOfA().id(); // the other slot is still empty
        int held = s.engine.slots().get(slot).cachedTokens();
        assertTrue(held >= prompt, "A's prompt and answer stay in its slot: " + s.engine.slots());

        Map<String, Failure> failures = new LinkedHashMap<>();
        failures.put("refused parameters", () -> {
            assertEquals(400, s.post("/v1/completions", "{\"prompt\":\"Lily\",\"temperature\":\"hot\"}").status());
            assertEquals(400, s.post("/v1/completions", "{\"prompt\":\"Lily\",\"logit_bias\":{\"5\":\"x\"}}").status());
            assertEquals(400, s.post("/v1/chat/completions", "{\"messages\":" + "[".repeat(1000) + "]".repeat(1000) + "}").status());
        });
        failures.put("a body cut short", () -> {
            try (Raw raw = new Raw(s.server.port())) {
                raw.post("/v1/completions", null, "{\"prompt\":\"Tom had a big red ball\",\"max_tokens\":50}", 20);
            }
        });
        failures.put("a prompt too long", () -> {
            TestServer.Reply r = s.post("/v1/completions", "{\"prompt\":\"" + "hello ".repeat(5000) + "\",\"max_tokens\":4}");
            assertEquals(400, r.status(), r.body());
            assertEquals("exceed_context_size_error", r.json().get("error").get("type").asText());
        });
        failures.put("token ids outside the vocabulary", () -> {
            assertEquals(400, s.post("/v1/completions", "{\"prompt\":[1, 2, 3, 100000]}").status());
        });
        failures.put("a client gone mid-stream", () -> {
            try (Raw raw = new Raw(s.server.port())) {
                raw.post("/v1/completions", null, "{\"prompt\":\"The dog ran to the park\",\"max_tokens\":300,\"stream\":true,\"ignore_eos\":true}");
                assertEquals(200, raw.status());
                assertNotNull(raw.until("data: "));
            }
        });
        failures.put("a request cancelled while it generates", () -> {
            try (Raw raw = new Raw(s.server.port())) { // not streamed: the server notices the hang-up at its next keep-alive
                raw.post("/v1/completions", null, "{\"prompt\":\"The sun was hot\",\"max_tokens\":3000,\"ignore_eos\":true}");
                long end = System.currentTimeMillis() + 5000;
                while (System.currentTimeMillis() < end && s.engine.slots().stream().noneMatch(SlotInfo::processing)) Thread.sleep(5);
                Thread.sleep(200);
            }
        });

        for (var f : failures.entrySet()) {
            f.getValue().run();
            idle();
            assertEquals(held, s.engine.slots().get(slot).cachedTokens(), f.getKey() + ": A's slot holds what it held: " + s.engine.slots());
            JsonNode r = runA();
            assertEquals(prompt - 1, cached(r), f.getKey() + ": A reuses its cached prefix");
            assertEquals(want, text(r), f.getKey() + ": the same greedy text from the cached prefix");
            assertEquals(held, s.engine.slots().get(slot).cachedTokens(), f.getKey() + ": A ran in its own slot again: " + s.engine.slots());
        }
        assertTrue(s.engine.stats().requests() >= 8);
    }
}
