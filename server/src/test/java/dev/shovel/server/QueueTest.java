package dev.shovel.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shovel.api.ModelOptions;
import dev.shovel.engine.EngineOptions;
import dev.shovel.engine.SlotInfo;
import org.junit.jupiter.api.Test;

/** One slot, one place in the queue: a third request is refused with 503; a waiting client that hangs up leaves. */
class QueueTest {
    static final String LONG = "{\"prompt\":\"Once upon a time\",\"max_tokens\":100000,\"stream\":true,\"logit_bias\":{\"1\":false,\"2\":false}}";

    @Test
    void aFullQueueIs503WithRetryAfterAndAWaiterThatHangsUpIsDropped() throws Exception {
        try (TestServer t = new TestServer(null, ModelOptions.defaults().withThreads(2).withCtxSize(8192),
                EngineOptions.defaults().withSlots(1).withQueueSize(1), ServerOptions.defaults());
             Raw running = new Raw(t.server.port())) {
            running.post("/v1/completions", null, LONG);
            assertEquals(200, running.status());
            assertNotNull(running.until("data: "));
            try (Raw waiting = new Raw(t.server.port())) {
                waiting.post("/v1/completions", null, LONG);
                assertEquals(200, waiting.status()); // a stream starts at once, then keeps alive while it waits
                waitFor(() -> t.engine.stats().queued() == 1, "queued");
                var refused = t.post("/v1/completions", "{\"prompt\":\"Hi\",\"max_tokens\":2}");
                ServerTest.assertError(refused, 503, "unavailable_error", "busy");
                assertEquals("1", refused.headers().firstValue("Retry-After").orElse(null));
                assertNotNull(waiting.until(": ping"), "keep-alives while waiting");
            }
            // the waiter hung up: its keep-alive fails, and it leaves the queue while the first still runs
            waitFor(() -> t.engine.stats().queued() == 0, "the hung-up waiter dropped");
            assertTrue(t.engine.slots().stream().anyMatch(SlotInfo::processing), "the first request still runs");
            running.close();
            waitFor(() -> t.engine.slots().stream().noneMatch(SlotInfo::processing), "the first request cancelled too");
        }
    }

    @Test
    void aNonStreamingClientThatHangsUpWhileWaitingIsDroppedToo() throws Exception {
        try (TestServer t = new TestServer(null, ModelOptions.defaults().withThreads(2).withCtxSize(8192),
                EngineOptions.defaults().withSlots(1), ServerOptions.defaults());
             Raw running = new Raw(t.server.port())) {
            running.post("/v1/completions", null, LONG);
            assertEquals(200, running.status());
            try (Raw waiting = new Raw(t.server.port())) {
                waiting.post("/v1/completions", null, LONG.replace("\"stream\":true", "\"stream\":false"));
                waitFor(() -> t.engine.stats().queued() == 1, "queued");
            }
            waitFor(() -> t.engine.stats().queued() == 0, "the hung-up waiter dropped");
            assertTrue(t.engine.slots().stream().anyMatch(SlotInfo::processing), "the first request still runs");
        }
    }

    @Test
    void aNonStreamingClientThatHangsUpWhileTokensFlowIsNoticed() throws Exception {
        try (TestServer t = new TestServer(null, ModelOptions.defaults().withThreads(2).withCtxSize(8192),
                EngineOptions.defaults().withSlots(1), ServerOptions.defaults())) {
            try (Raw client = new Raw(t.server.port())) {
                client.post("/v1/completions", null, LONG.replace("\"stream\":true", "\"stream\":false"));
                waitFor(() -> t.engine.slots().get(0).generatedTokens() > 10, "generating");
            }
            long t0 = System.nanoTime();
            waitFor(() -> !t.engine.slots().get(0).processing(), "cancelled while its tokens were still coming");
            assertTrue(t.engine.slots().get(0).cachedTokens() < 8000, "stopped long before the context was full");
            assertTrue((System.nanoTime() - t0) / 1e9 < 5, "noticed within a few seconds");
        }
    }

    static void waitFor(java.util.function.BooleanSupplier c, String what) throws InterruptedException {
        long end = System.currentTimeMillis() + 8000;
        while (!c.getAsBoolean()) {
            if (System.currentTimeMillis() > end) throw new AssertionError("timed out waiting: " + what);
            Thread.sleep(20);
        }
    }
}
