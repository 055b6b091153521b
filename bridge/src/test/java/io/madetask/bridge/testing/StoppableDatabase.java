package io.madetask.bridge.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * A PostgreSQL of the test's own (embedded, on a fixed free port, its data kept on disk) that the test can stop and
 * start again, to see the bridge lose its database and get it back.
 */
public class StoppableDatabase implements QuarkusTestResourceLifecycleManager {

    private static int port;
    private static Path data;
    private static EmbeddedPostgres postgres;

    @Override
    public Map<String, String> start() {
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
            data = Files.createTempDirectory("bridge-outage-pg");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        up();
        return Map.of(
                "quarkus.datasource.reactive.url", "postgresql://127.0.0.1:" + port + "/postgres",
                "quarkus.datasource.jdbc.url", "jdbc:postgresql://127.0.0.1:" + port + "/postgres",
                "quarkus.datasource.username", "postgres",
                "quarkus.datasource.password", "postgres");
    }

    /** Starts the server (again), on the same port and data. */
    public static synchronized void up() {
        try {
            postgres = EmbeddedPostgres.builder().setPort(port).setDataDirectory(data)
                    .setCleanDataDirectory(false).start();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot start the test's PostgreSQL", e);
        }
    }

    /** Stops the server: every connection to it breaks. */
    public static synchronized void down() {
        try {
            postgres.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void stop() {
        down();
    }
}
