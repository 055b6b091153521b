package io.madetask.bridge.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** A client that sends a request's head, then its body one byte a second: never idle, never done. */
public final class TricklingClient {

    private TricklingClient() {
    }

    /**
     * Sends {@code head} (request line and headers, ending in the blank line) to the application under test, trickles
     * the body, and answers everything the server sent until it closed the connection (at most 30 s).
     */
    public static String send(int port, String head) throws IOException {
        try (Socket socket = new Socket("localhost", port)) {
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            out.write((head + "{").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            Thread trickle = new Thread(() -> {
                try {
                    while (!socket.isClosed()) {
                        Thread.sleep(1_000);
                        out.write(' ');
                        out.flush();
                    }
                } catch (Exception closed) {
                    // the server hung up: what the caller waits for
                }
            });
            trickle.setDaemon(true);
            trickle.start();
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
