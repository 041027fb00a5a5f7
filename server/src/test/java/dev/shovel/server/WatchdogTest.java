package dev.shovel.server;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import org.junit.jupiter.api.Test;

/** A write to a peer that never reads is cut after the timeout, as the server's socket writes are. */
class WatchdogTest {
    @Test
    void aWriteBlockedLongerThanTheLimitFailsAndClearsTheInterrupt() throws Exception {
        try (ServerSocketChannel ss = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
             SocketChannel client = SocketChannel.open(ss.getLocalAddress());
             SocketChannel peer = ss.accept();
             Watchdog w = new Watchdog(1);
             Watchdog.Timer timer = w.timer()) {
            OutputStream out = timer.output(Channels.newOutputStream(client)); // blocking, like HttpServer's
            byte[] chunk = new byte[1 << 16];
            long t0 = System.nanoTime();
            assertThrows(InterruptedIOException.class, () -> {
                while (true) out.write(chunk); // the peer never reads: the buffers fill, then the write blocks
            });
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(ms >= 900 && ms < 10_000, "cut after about the limit: " + ms + " ms");
            assertFalse(Thread.currentThread().isInterrupted(), "the interrupt does not leak");
            assertFalse(client.isOpen(), "the channel is closed under the write");
            assertTrue(peer.isOpen());
        }
    }
}
