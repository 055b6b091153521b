package io.madetask.bridge.testing;

import java.util.Map;

import io.madetask.bridge.common.EmbeddedDatabase;

/**
 * The database of a test run: the PostgreSQL server named by {@code QUARKUS_DATASOURCE_REACTIVE_URL} when one is
 * configured, else one embedded PostgreSQL shared by the whole test JVM.
 */
public final class TestDatabase {

    private TestDatabase() {
    }

    /** Datasource properties for the application under test; empty when a configured server is used. */
    public static Map<String, String> config() {
        String configured = System.getenv("QUARKUS_DATASOURCE_REACTIVE_URL");
        if (configured != null && !configured.isBlank()) {
            return Map.of();
        }
        int port = EmbeddedDatabase.start();
        return Map.of(
                "quarkus.datasource.reactive.url", "postgresql://127.0.0.1:" + port + "/postgres",
                "quarkus.datasource.jdbc.url", "jdbc:postgresql://127.0.0.1:" + port + "/postgres",
                "quarkus.datasource.username", "postgres",
                "quarkus.datasource.password", "postgres");
    }
}
