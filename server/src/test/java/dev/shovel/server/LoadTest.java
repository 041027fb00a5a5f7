package dev.shovel.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.shovel.api.ModelOptions;
import dev.shovel.engine.EngineOptions;
import dev.shovel.engine.SlotInfo;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * 32 streaming clients for 60 s (-Dshovel.load.seconds), a third of them hanging up mid-stream. Every stream that is
 * read to its end is well formed; afterwards every slot is idle, and threads and heap are back at their baseline.
 */
class LoadTest {
    static final int CLIENTS = 32;
    static final String[] PROMPTS = {"Tell me a story.", "What did the cat do?", "Lily found a red ball.", "Once upon a time",
            "Tom and his dog went to the park.", "Why is the sky blue?"};

    @Test
    void thirtyTwoStreamingClientsAThirdHangingUp() throws Exception {
        int seconds = Integer.getInteger("shovel.load.seconds", 60);
        try (TestServer t = new TestServer(null, ModelOptions.defaults().withThreads(2).withCtxSize(2048),
                EngineOptions.defaults().withSlots(4), ServerOptions.defaults())) {
            for (int i = 0; i < 8; i++) stream(t, new Random(i), false); // warm up: JIT, carrier threads
            long threads0 = threads(), heap0 = heap();

            AtomicInteger complete = new AtomicInteger(), aborted = new AtomicInteger();
            ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();
            long end = System.currentTimeMillis() + seconds * 1000L;
            List<Thread> clients = new ArrayList<>();
            for (int c = 0; c < CLIENTS; c++) {
                int id = c;
                clients.add(Thread.ofPlatform().name("load-client-" + c).start(() -> {
                    Random r = new Random(id);
                    for (int k = 0; System.currentTimeMillis() < end && k < 100_000; k++) {
                        try {
                            String p = stream(t, r, id % 3 == 0);
                            if (p == null) (id % 3 == 0 ? aborted : complete).incrementAndGet();
                            else problems.add("client " + id + ": " + p);
                        } catch (Exception e) {
                            problems.add("client " + id + ": " + e);
                        }
                    }
                }));
            }
            for (Thread c : clients) c.join(seconds * 1000L + 120_000);
            System.out.printf("load: %d clients, %d s: %d streams complete, %d hung up mid-stream, %d problems%n",
                    CLIENTS, seconds, complete.get(), aborted.get(), problems.size());
            assertTrue(problems.isEmpty(), "every stream well formed: " + problems.stream().limit(5).toList());
            assertTrue(complete.get() > CLIENTS, "streams ran: " + complete.get());

            long idleBy = System.currentTimeMillis() + 10_000;
            while (System.currentTimeMillis() < idleBy && (t.engine.stats().queued() > 0 || t.engine.slots().stream().anyMatch(SlotInfo::processing))) {
                Thread.sleep(50);
            }
            assertEquals(0, t.engine.stats().queued());
            for (SlotInfo s : t.engine.slots()) assertTrue(!s.processing(), "slot " + s.id() + " idle");
            long threads1 = threads(), heap1 = heap();
            System.out.printf("load: platform threads %d -> %d, heap after GC %.1f -> %.1f MiB%n", threads0, threads1, heap0 / 1048576.0, heap1 / 1048576.0);
            assertTrue(threads1 <= threads0 + 2, "threads back at the baseline: " + threads0 + " -> " + threads1);
            assertTrue(heap1 <= heap0 + (16 << 20), "heap back at the baseline: " + heap0 + " -> " + heap1);
        }
    }

    /** One streaming chat; null when well formed (or hung up on purpose), else what was wrong. */
    static String stream(TestServer t, Random r, boolean hangUp) throws Exception {
        String body = "{\"messages\":[{\"role\":\"user\",\"content\":\"" + PROMPTS[r.nextInt(PROMPTS.length)] + "\"}],\"stream\":true,"
                + "\"max_tokens\":" + (16 + r.nextInt(48)) + ",\"temperature\":0.8,\"seed\":" + r.nextInt(1000) + "}";
        int stopAfter = hangUp ? 1 + r.nextInt(4) : Integer.MAX_VALUE;
        try (Raw raw = new Raw(t.server.port())) {
            raw.post("/v1/chat/completions", null, body);
            int status = raw.status();
            if (status != 200) return "status " + status;
            int events = 0, finishes = 0;
            for (String line; (line = raw.until("data: ")) != null; ) {
                String data = line.substring(6);
                if (data.equals("[DONE]")) return finishes == 1 ? null : finishes + " finish reasons";
                JsonNode e = TestServer.JSON.readTree(data);
                if (!"chat.completion.chunk".equals(e.path("object").asText())) return "not a chunk: " + data;
                JsonNode c = e.path("choices").path(0);
                if (c.path("index").asInt(-1) != 0) return "no index: " + data;
                if (events == 0 && !"assistant".equals(c.path("delta").path("role").asText())) return "no role first: " + data;
                String f = c.path("finish_reason").asText(null);
                if (f != null) {
                    if (!f.equals("stop") && !f.equals("length")) return "finish " + f;
                    finishes++;
                }
                if (++events >= stopAfter) return null; // hang up: the socket closes here
            }
            return "the stream ended without [DONE] after " + events + " events";
        }
    }

    static long threads() { return ManagementFactory.getThreadMXBean().getThreadCount(); }

    static long heap() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(100);
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
