package dev.shovel.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.shovel.api.ModelOptions;
import dev.shovel.engine.EngineOptions;
import dev.shovel.engine.SlotInfo;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The server under hostile clients, over raw sockets: every abuse is refused or cut (and logged as "refused:"), while a
 * well-behaved chat request succeeds during it and after it. Small limits make each case take seconds. Runs in a JVM
 * of its own (the surefire execution for the "own-jvm" tag): the JDK server's limits are per process, set by the first server.
 */
@Tag("own-jvm")
class AbuseTest {
    static final ServerLimits LIMITS = ServerLimits.defaults()
            .withIoTimeout(3)
            .withMaxBody(256 << 10)
            .withHeaderTimeout(2)
            .withIdleTimeout(2)
            .withMaxConnections(64)
            .withMaxHeaderBytes(16 << 10)
            .withMaxJsonStringChars(100_000)
            .withMaxStreamBacklog(16);
    static final ByteArrayOutputStream LOG = new ByteArrayOutputStream();
    static TestServer s;

    @BeforeAll
    static void start() {
        s = new TestServer(null, ModelOptions.defaults().withThreads(2).withCtxSize(4096), EngineOptions.defaults().withSlots(2),
                ServerOptions.defaults().withLimits(LIMITS), new PrintStream(LOG, true, StandardCharsets.UTF_8));
    }

    @AfterAll
    static void stop() {
        s.close();
        log().lines().filter(l -> l.contains("refused:")).forEach(System.out::println); // what the server refused, as it says it
    }

    @AfterEach
    void stillServing() throws Exception {
        wellBehaved();
        assertTrue(idleWithin(10_000), "every slot idle again: " + s.engine.slots());
    }

    static String log() {
        synchronized (LOG) {
            return LOG.toString(StandardCharsets.UTF_8);
        }
    }

    /** Waits for a log line containing {@code text}. */
    static String logged(String text) throws InterruptedException {
        long end = System.currentTimeMillis() + 15_000;
        while (System.currentTimeMillis() < end) {
            for (String l : log().lines().toList()) if (l.contains(text)) return l;
            Thread.sleep(20);
        }
        throw new AssertionError("no log line with '" + text + "' in:\n"
                + log().lines().filter(l -> !l.contains("/chat/completions 200")).collect(java.util.stream.Collectors.joining("\n")));
    }

    static final String CHAT = "{\"messages\":[{\"role\":\"user\",\"content\":\"Tell me a story.\"}],\"max_tokens\":8,\"temperature\":0}";

    /** A normal chat request, answered in full. */
    static void wellBehaved() {
        TestServer.Reply r = s.post("/v1/chat/completions", CHAT);
        assertEquals(200, r.status(), r.body());
        assertEquals(8, r.json().get("usage").get("completion_tokens").asInt(), r.body());
    }

    /** Runs {@code abuse} while another thread sends well-behaved requests; all of those must succeed, at least one. */
    static void whileServing(Abuse abuse) throws Exception {
        AtomicBoolean done = new AtomicBoolean();
        AtomicInteger served = new AtomicInteger();
        AtomicReference<Throwable> failed = new AtomicReference<>();
        Thread t = Thread.ofVirtual().start(() -> {
            try {
                while (!done.get() || served.get() == 0) {
                    wellBehaved();
                    served.incrementAndGet();
                }
            } catch (Throwable e) {
                failed.set(e);
            }
        });
        try {
            abuse.run();
        } finally {
            done.set(true);
            t.join(30_000);
        }
        if (failed.get() != null) throw new AssertionError("a well-behaved request failed during the abuse", failed.get());
        assertTrue(served.get() > 0);
    }

    interface Abuse {
        void run() throws Exception;
    }

    static boolean idleWithin(long ms) throws InterruptedException {
        long end = System.currentTimeMillis() + ms;
        while (System.currentTimeMillis() < end) {
            if (s.engine.slots().stream().noneMatch(SlotInfo::processing) && s.engine.stats().queued() == 0) return true;
            Thread.sleep(20);
        }
        return false;
    }

    /** A raw response: status, headers as one string, body. */
    record Response(int status, String headers, String body) {
        JsonNode error() {
            try {
                return TestServer.JSON.readTree(body).get("error");
            } catch (IOException e) {
                throw new AssertionError("not JSON: " + body);
            }
        }
    }

    static Socket socket() throws IOException {
        Socket so = new Socket("127.0.0.1", s.server.port());
        so.setSoTimeout(15_000);
        return so;
    }

    /** Reads one response (Content-Length bodies only); null if the server closed the connection first. */
    static Response read(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        int c;
        while ((c = in.read()) >= 0) {
            head.append((char) c);
            if (head.length() >= 4 && head.substring(head.length() - 4).equals("\r\n\r\n")) break;
        }
        if (c < 0 && head.isEmpty()) return null;
        String h = head.toString();
        int status = Integer.parseInt(h.split(" ")[1]);
        int len = 0;
        for (String line : h.split("\r\n")) if (line.toLowerCase().startsWith("content-length:")) len = Integer.parseInt(line.substring(15).trim());
        byte[] body = in.readNBytes(len);
        return new Response(status, h, new String(body, StandardCharsets.UTF_8));
    }

    static byte[] ascii(String s) { return s.getBytes(StandardCharsets.ISO_8859_1); }

    /** True if the server closes the connection (end of stream or reset) within {@code ms}, reading what it sends. */
    static boolean closedWithin(Socket so, long ms) throws IOException {
        so.setSoTimeout((int) ms);
        try {
            InputStream in = so.getInputStream();
            byte[] b = new byte[8192];
            long end = System.currentTimeMillis() + ms;
            while (System.currentTimeMillis() < end) if (in.read(b) < 0) return true;
            return false;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (SocketException e) {
            return true; // reset
        }
    }

    static void assertError(Response r, int status, String fragment) {
        assertEquals(status, r.status(), r.headers() + r.body());
        JsonNode e = r.error();
        assertEquals(status, e.get("code").asInt());
        assertTrue(e.get("message").asText().contains(fragment), r.body());
    }

    @Test
    void aBodyOverTheLimitIsRefusedFromItsContentLengthUnread() throws Exception {
        whileServing(() -> {
            try (Socket so = socket()) {
                OutputStream out = so.getOutputStream();
                out.write(ascii("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 20971520\r\n\r\n"));
                out.write(ascii("{\"messages\":"));
                out.flush(); // and not a byte more: the answer comes without the body
                long t0 = System.nanoTime();
                Response r = read(so.getInputStream());
                assertError(r, 413, "larger than the limit of 262144 bytes");
                assertTrue((System.nanoTime() - t0) / 1_000_000 < 2000);
            }
        });
        assertTrue(logged("refused: body of 20971520 bytes over the 256 KiB limit from 127.0.0.1").contains(" 413 "));
    }

    @Test
    void aChunkedBodyOverTheLimitIsCutAtTheLimit() throws Exception {
        whileServing(() -> {
            try (Socket so = socket()) {
                OutputStream out = so.getOutputStream();
                out.write(ascii("POST /v1/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"));
                byte[] chunk = ascii("0123456789abcdef".repeat(4096)); // 64 KiB
                Response r = null;
                try {
                    for (int i = 0; i < 64; i++) { // 4 MiB offered; the server stops reading past 256 KiB
                        out.write(ascii(Integer.toHexString(chunk.length) + "\r\n"));
                        out.write(chunk);
                        out.write(ascii("\r\n"));
                        out.flush();
                    }
                } catch (IOException closed) {
                    // the server answered and closed while we were still sending: expected
                }
                r = read(so.getInputStream());
                assertError(r, 413, "larger than the limit");
            }
        });
        logged("refused: chunked body over the 256 KiB limit");
    }

    @Test
    void deepLongAndHugeJsonIsRefusedAs400() throws Exception {
        whileServing(() -> {
            String deep = "{\"messages\":" + "[".repeat(100_000) + "]".repeat(100_000) + "}";
            ServerTest.assertError(s.post("/v1/chat/completions", deep), 400, "invalid_request_error", "nested deeper than 128 levels");
            String number = "{\"prompt\":\"a\",\"seed\":" + "9".repeat(5000) + "}";
            ServerTest.assertError(s.post("/v1/completions", number), 400, "invalid_request_error", "a number longer than 100 digits");
            String string = "{\"prompt\":\"" + "a".repeat(200_000) + "\"}";
            ServerTest.assertError(s.post("/v1/completions", string), 400, "invalid_request_error", "a string longer than 100000 characters");
        });
        logged("refused: JSON body: nested deeper than 128 levels from 127.0.0.1");
        logged("refused: JSON body: a number longer than 100 digits");
    }

    @Test
    void invalidUtf8IsA400NamingTheByte() throws Exception {
        whileServing(() -> {
            byte[] head = ascii("{\"prompt\":\"caf");
            byte[][] bad = {{(byte) 0xff}, {(byte) 0xc3}, {(byte) 0xc0, (byte) 0xaf} /* overlong '/' */, {(byte) 0xed, (byte) 0xa0, (byte) 0x80} /* a surrogate */};
            for (byte[] b : bad) {
                ByteArrayOutputStream body = new ByteArrayOutputStream();
                body.write(head);
                body.write(b);
                body.write(ascii("\"}"));
                var r = s.send(s.request("/v1/completions").header("Content-Type", "application/json")
                        .POST(java.net.http.HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())).build());
                ServerTest.assertError(r, 400, "invalid_request_error", "not valid UTF-8: byte 0x" + String.format("%02x", b[0] & 0xff) + " at offset 14");
            }
        });
        logged("refused: body not valid UTF-8 (offset 14)");
    }

    @Test
    void headersThatNeverEndAreCutAfterTheHeaderTimeout() throws Exception {
        whileServing(() -> {
            try (Socket so = socket()) {
                OutputStream out = so.getOutputStream();
                out.write(ascii("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\n"));
                long t0 = System.nanoTime();
                boolean cut = false;
                try {
                    for (int i = 0; i < 100 && !cut; i++) { // a header byte every 100 ms: never idle, never done
                        out.write('a');
                        out.flush();
                        Thread.sleep(100);
                        so.setSoTimeout(1);
                        try {
                            cut = so.getInputStream().read() < 0;
                        } catch (SocketTimeoutException e) {
                            // still open
                        }
                    }
                } catch (SocketException e) {
                    cut = true;
                }
                long ms = (System.nanoTime() - t0) / 1_000_000;
                assertTrue(cut, "the connection is closed");
                assertTrue(ms >= 1500 && ms < 5000, "after the 2 s header timeout: " + ms + " ms");
            }
        });
        logged("refused: request headers not complete within 2 s");
    }

    @Test
    void hugeOrCountlessHeadersCloseTheConnection() throws Exception {
        whileServing(() -> {
            try (Socket so = socket()) {
                so.getOutputStream().write(ascii("GET /v1/models HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(64 << 10) + "\r\n\r\n"));
                assertTrue(closedWithin(so, 5000), "closed, unanswered");
            }
            try (Socket so = socket()) {
                StringBuilder h = new StringBuilder("GET /v1/models HTTP/1.1\r\nHost: x\r\n");
                for (int i = 0; i < 150; i++) h.append("X-H").append(i).append(": v\r\n");
                so.getOutputStream().write(ascii(h + "\r\n"));
                assertTrue(closedWithin(so, 5000), "closed, unanswered");
            }
        });
        logged("refused: request headers over the 16 KiB limit");
        logged("refused: more than 100 request headers");
    }

    @Test
    void aStreamReadTooSlowlyIsCancelledAndItsSlotFreed() throws Exception {
        whileServing(() -> {
            try (Socket so = new Socket()) {
                so.setReceiveBufferSize(2048); // before connecting: a small window
                so.connect(new java.net.InetSocketAddress("127.0.0.1", s.server.port()));
                // events of about 1.5 KiB (20 log-probabilities each): the kernel's socket buffers (about 2 MiB on
                // loopback) fill after some 1500 tokens, then the writes block and the events pile up behind them
                String body = "{\"messages\":[{\"role\":\"user\",\"content\":\"Once upon a time\"}],\"max_tokens\":4000,"
                        + "\"stream\":true,\"logprobs\":true,\"top_logprobs\":20,\"ignore_eos\":true}";
                so.getOutputStream().write(ascii("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: "
                        + body.length() + "\r\n\r\n" + body));
                so.getOutputStream().flush();
                long t0 = System.nanoTime();
                logged("read its stream too slowly");
                assertTrue(idleWithin(5000), "its slot is free: " + s.engine.slots());
                assertTrue((System.nanoTime() - t0) / 1_000_000 < 15_000);
            }
        });
        String line = logged("read its stream too slowly");
        assertTrue(line.contains("request cancelled, slot freed, from 127.0.0.1"), line);
    }

    @Test
    void idleConnectionsAreBoundedAndClosedAfterTheIdleTimeout() throws Exception {
        List<Socket> idle = new ArrayList<>();
        try {
            whileServing(() -> {
                for (int i = 0; i < 40; i++) idle.add(socket()); // connected, silent
            });
            // over the limit of 64: the surplus is closed as soon as it is accepted
            List<Socket> more = new ArrayList<>();
            for (int i = 0; i < 40; i++) more.add(socket());
            int refused = 0;
            for (Socket so : more) if (closedWithin(so, 300)) refused++;
            assertTrue(refused >= 10, "connections over the limit are closed at once: " + refused + " of 40");
            idle.addAll(more);
            long t0 = System.nanoTime();
            for (Socket so : idle) assertTrue(closedWithin(so, 6000), "an idle connection is closed by the server");
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(ms < 6000, "after the 2 s idle timeout: " + ms + " ms");
        } finally {
            for (Socket so : idle) so.close();
        }
        // and new clients get in again (the @AfterEach request)
    }

    @Test
    void badRequestLinesAndMalformedHeadersAreRefusedByTheJdkAndLogged() throws Exception {
        whileServing(() -> {
            try (Socket so = socket()) {
                so.getOutputStream().write(ascii("NONSENSE\r\n\r\n"));
                Response r = read(so.getInputStream());
                assertEquals(400, r.status());
            }
            try (Socket so = socket()) { // both lengths: a request-smuggling shape
                so.getOutputStream().write(ascii("POST /v1/completions HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n"));
                Response r = read(so.getInputStream());
                assertEquals(400, r.status());
            }
        });
        logged("refused: by the JDK server: NONSENSE");
    }

    @Test
    void aClientThatHangsUpHalfwayThroughItsBodyLeavesTheServerServing() throws Exception {
        whileServing(() -> {
            for (int i = 0; i < 20; i++) {
                try (Raw raw = new Raw(s.server.port())) {
                    raw.post("/v1/chat/completions", null, CHAT, CHAT.length() / 2);
                }
            }
        });
        assertFalse(log().contains(" 500 "), log());
        assertNotEquals(-1, log().indexOf("POST /v1/chat/completions 200"));
    }
}
