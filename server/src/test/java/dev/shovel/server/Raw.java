package dev.shovel.server;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** A hand-written HTTP/1.1 exchange on a socket: for clients that stop reading, send slowly or hang up. */
final class Raw implements AutoCloseable {
    final Socket socket;
    final BufferedReader in;
    final OutputStream out;

    Raw(int port) throws IOException {
        socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout(30_000);
        in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
        out = socket.getOutputStream();
    }

    /** Sends a POST with a JSON body (all of it, or only the first {@code sendBytes} bytes). */
    Raw post(String path, String key, String json, int sendBytes) throws IOException {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        String head = "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                + (key == null ? "" : "Authorization: Bearer " + key + "\r\n")
                + "Content-Length: " + body.length + "\r\n\r\n";
        out.write(head.getBytes(StandardCharsets.US_ASCII));
        out.write(body, 0, Math.min(sendBytes, body.length));
        out.flush();
        return this;
    }

    Raw post(String path, String key, String json) throws IOException { return post(path, key, json, Integer.MAX_VALUE); }

    /** The status line's code. */
    int status() throws IOException {
        String line = in.readLine();
        if (line == null) return -1;
        return Integer.parseInt(line.split(" ")[1]);
    }

    /** Reads until a line starting with {@code prefix}; returns it, or null at the end of the stream. */
    String until(String prefix) throws IOException {
        for (String l; (l = in.readLine()) != null; ) if (l.startsWith(prefix)) return l;
        return null;
    }

    @Override
    public void close() throws IOException { socket.close(); }
}
